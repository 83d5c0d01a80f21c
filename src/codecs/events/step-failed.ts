import * as t from 'io-ts'
import { EventMeta, eventHead, type EventFields } from './event-head.js'
import { StepName } from './step-name.js'

/**
 * A step failed. Its effect already retried sub-second blips; a retryable failure with `retryAt`
 * is tried again from that time on (set while the request's deadline allows), otherwise the
 * request completes with FAILURE. `retryAt` is optional, so logs written before it still decode.
 */
export const StepFailed = t.intersection(
  [
    t.type({ ...EventMeta, type: t.literal('StepFailed'), step: StepName, reason: t.string, retryable: t.boolean }),
    t.partial({ retryAt: t.string }),
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
})
