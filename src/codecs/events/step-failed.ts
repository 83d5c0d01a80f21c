import * as t from 'io-ts'
import { EventMeta, eventHead, hasEventHead, type EventFields } from './event-head.js'
import { StepName } from './step-name.js'

/**
 * A step failed. Its effect already retried sub-second blips; a retryable failure with `retryAt`
 * is tried again from that time on (set while the request's deadline allows), otherwise the
 * request completes with FAILURE. `retryAt` is optional, so logs written before it still decode.
 */
export const StepFailed = t.intersection(
  [t.type({ ...EventMeta, type: t.literal('StepFailed'), step: StepName, reason: t.string, retryable: t.boolean }), t.partial({ retryAt: t.string })],
  'StepFailed',
)
export type StepFailed = t.TypeOf<typeof StepFailed>

export const stepFailed = (e: EventFields<StepFailed>): StepFailed => ({
  ...eventHead('StepFailed', e),
  step: e.step,
  reason: e.reason,
  retryable: e.retryable,
  ...(e.retryAt === undefined ? {} : { retryAt: e.retryAt }),
})

/** `u` already is a decoded StepFailed (see hasEventHead). */
export const isDecodedStepFailed = (u: unknown): u is StepFailed =>
  hasEventHead(u, 'StepFailed') &&
  StepName.is(u['step']) &&
  typeof u['reason'] === 'string' &&
  typeof u['retryable'] === 'boolean' &&
  (!Object.hasOwn(u, 'retryAt') || typeof u['retryAt'] === 'string')
