import * as t from 'io-ts'
import { EventMeta, eventHead, hasEventHead, type EventFields } from './event-head.js'
import { StepName } from './step-name.js'
import { ChangeTarget } from './change-target.js'

/**
 * A step failed. Its effect already retried sub-second blips; a retryable failure with `retryAt`
 * is tried again from that time on (set while the request's deadline allows), otherwise the
 * request completes with FAILURE. `retryAt` is optional, so logs written before it still decode.
 * `mayHaveChanged`: the write got no readable answer (a timeout, a dropped connection, a 504, a 2xx
 * that did not decode), so it may have landed all the same: an undo takes that target back too.
 */
export const StepFailed = t.intersection(
  [
    t.type({ ...EventMeta, type: t.literal('StepFailed'), step: StepName, reason: t.string, retryable: t.boolean }),
    t.partial({ retryAt: t.string, mayHaveChanged: ChangeTarget }),
  ],
  'StepFailed',
)
export type StepFailed = t.TypeOf<typeof StepFailed>

export const stepFailed = (e: EventFields<StepFailed>): StepFailed => ({
  ...eventHead('StepFailed', e),
  step: e.step,
  reason: e.reason,
  retryable: e.retryable,
  ...(e.retryAt === undefined ? {} : { retryAt: e.retryAt }),
  ...(e.mayHaveChanged === undefined ? {} : { mayHaveChanged: e.mayHaveChanged }),
})

/** `u` already is a decoded StepFailed (see hasEventHead). */
export const isDecodedStepFailed = (u: unknown): u is StepFailed =>
  hasEventHead(u, 'StepFailed') &&
  StepName.is(u['step']) &&
  typeof u['reason'] === 'string' &&
  typeof u['retryable'] === 'boolean' &&
  (!Object.hasOwn(u, 'retryAt') || typeof u['retryAt'] === 'string') &&
  (!Object.hasOwn(u, 'mayHaveChanged') || ChangeTarget.is(u['mayHaveChanged']))
