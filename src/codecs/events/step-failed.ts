import * as t from 'io-ts'
import { EventMeta, eventHead, type EventFields } from './event-head.js'
import { StepName } from './step-name.js'

/** A step failed for good (its effect already retried what was retryable). */
export const StepFailed = t.type(
  { ...EventMeta, type: t.literal('StepFailed'), step: StepName, reason: t.string, retryable: t.boolean },
  'StepFailed',
)
export type StepFailed = t.TypeOf<typeof StepFailed>

export const stepFailed = (e: EventFields<StepFailed>): StepFailed => ({
  ...eventHead('StepFailed', e),
  step: e.step,
  reason: e.reason,
  retryable: e.retryable,
})
