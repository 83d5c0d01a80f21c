import * as t from 'io-ts'
import { EventMeta, eventHead, hasEventHead, type EventFields } from './event-head.js'

/** The broker acknowledged one copy of the recorded result. */
export const ResultPublished = t.type({ ...EventMeta, type: t.literal('ResultPublished'), resultId: t.string }, 'ResultPublished')
export type ResultPublished = t.TypeOf<typeof ResultPublished>

export const resultPublished = (e: EventFields<ResultPublished>): ResultPublished => ({
  ...eventHead('ResultPublished', e),
  resultId: e.resultId,
})

/** `u` already is a decoded ResultPublished (see hasEventHead). */
export const isDecodedResultPublished = (u: unknown): u is ResultPublished => hasEventHead(u, 'ResultPublished') && typeof u['resultId'] === 'string'
