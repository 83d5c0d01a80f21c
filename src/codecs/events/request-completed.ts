import * as t from 'io-ts'
import { OrderStatus } from '../results.js'
import { EventMeta, eventHead, hasEventHead, type EventFields } from './event-head.js'
import { ResultRecord, isDecodedResultRecord } from './result-record.js'

/** The request is done; its result message is recorded here before it is ever sent. */
export const RequestCompleted = t.type(
  {
    ...EventMeta,
    type: t.literal('RequestCompleted'),
    status: OrderStatus,
    resultId: t.string,
    result: ResultRecord,
  },
  'RequestCompleted',
)
export type RequestCompleted = t.TypeOf<typeof RequestCompleted>

export const requestCompleted = (e: EventFields<RequestCompleted>): RequestCompleted => ({
  ...eventHead('RequestCompleted', e),
  status: e.status,
  resultId: e.resultId,
  result: e.result,
})

/** `u` already is a decoded RequestCompleted (see hasEventHead). */
export const isDecodedRequestCompleted = (u: unknown): u is RequestCompleted =>
  hasEventHead(u, 'RequestCompleted') && OrderStatus.is(u['status']) && typeof u['resultId'] === 'string' && isDecodedResultRecord(u['result'])
