import * as t from 'io-ts'
import { EventMeta, eventHead, hasEventHead, type EventFields } from './event-head.js'

/** The same CloudEvent arrived again: no new side effects, the recorded result is sent again. */
export const RequestRedelivered = t.type({ ...EventMeta, type: t.literal('RequestRedelivered'), origin: t.string }, 'RequestRedelivered')
export type RequestRedelivered = t.TypeOf<typeof RequestRedelivered>

export const requestRedelivered = (e: EventFields<RequestRedelivered>): RequestRedelivered => ({
  ...eventHead('RequestRedelivered', e),
  origin: e.origin,
})

/** `u` already is a decoded RequestRedelivered (see hasEventHead). */
export const isDecodedRequestRedelivered = (u: unknown): u is RequestRedelivered => hasEventHead(u, 'RequestRedelivered') && typeof u['origin'] === 'string'
