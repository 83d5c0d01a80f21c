/**
 * When a step that failed on a transient fault is tried again. The effect reports a retryable
 * `StepFailed`; before it is recorded, the drain stamps it with `retryAt` (capped exponential
 * backoff with equal jitter, support/backoff.ts: outages of seconds to minutes, so every wait is at
 * least half its ceiling) as long as that lies before the request's deadline (accepted + REQUEST_DEADLINE).
 * Past the deadline it is recorded without `retryAt`, and `decide` completes the request with
 * FAILURE and the last reason. The clock and the randomness stay here, so `decide` stays pure.
 */
import type { ServiceEvent } from '../codecs/events.js'
import type { ServiceState } from '../state/service-state.js'
import { backoffDelay, nextAttemptAt } from '../support/backoff.js'

export interface Patience {
  /** how long after a request was accepted it may still be retried */
  readonly deadlineMs: number
  readonly baseDelayMs: number
  readonly maxDelayMs: number
  readonly random: () => number
}

const minutes = (ms: number): string => (ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`)

/** The step's outcome events, a retryable failure stamped with its next attempt (or its last word). */
export const scheduleRetries = (
  events: readonly ServiceEvent[],
  state: ServiceState,
  nowMs: number,
  patience: Patience | undefined,
): readonly ServiceEvent[] =>
  patience === undefined
    ? events
    : events.map((event): ServiceEvent => {
        if (event.type !== 'StepFailed' || !event.retryable || event.retryAt !== undefined) return event
        const pending = state.pending.find((p) => p.requestId === event.requestId)
        if (pending === undefined) return event
        const attempts = (pending.attempts ?? 0) + 1
        const delayMs = backoffDelay(attempts - 1, { baseDelayMs: patience.baseDelayMs, maxDelayMs: patience.maxDelayMs, jitter: 'equal' }, patience.random)
        // an undo gets the same patience again, counted from when it started
        const retryAtMs = nextAttemptAt(nowMs, delayMs, Date.parse(pending.undo?.since ?? pending.acceptedAt) + patience.deadlineMs)
        if (retryAtMs !== undefined) return { ...event, retryAt: new Date(retryAtMs).toISOString() }
        return {
          ...event,
          reason: `${event.reason} (still failing after ${attempts} attempts; gave up ${minutes(patience.deadlineMs)} after the ${pending.undo === undefined ? 'request was accepted' : 'undo started'})`,
        }
      })
