/**
 * kafkajs 2.2.4's `RequestQueue.scheduleCheckPendingRequests` has two faults (the library is
 * unmaintained; both are open upstream):
 * - it asks for a negative `setTimeout` delay whenever a connection is not throttled
 *   (`throttledUntil = -1`, kafkajs issue #1751): Node clamps it to 1 ms, and Node 24 also prints a
 *   `TimeoutNegativeWarning` on stderr from every process that connects (the service and each
 *   CLI command), which buries real warnings;
 * - it re-schedules itself even when no request is pending, so with the 1 ms clamp every broker
 *   connection runs a 1 ms timer loop for its whole life (kafkajs issues #1556, #1604, #1704): an
 *   idle service woke about a thousand times a second per connection and spent 55 CPU ms/s with
 *   the shipped settings (15 with this patch: bench B11's idle row); the same wake-ups ran beside
 *   every request under load.
 *
 * The project keeps this one-method patch at the Kafka door instead of moving to another client:
 * a check is scheduled only when a request waits (the 10 ms re-check or the end of a throttle,
 * never below Node's 1 ms), which is all the timer is for: `push` schedules it whenever it queues
 * a request, and a finished or timed-out request runs the check itself. It is applied at import,
 * needs no install step (the image installs with `--ignore-scripts`), and only to the exact
 * version it was written against; any other version is left alone and a unit test fails, so an
 * upgrade is a decision, not an accident.
 */
import { createRequire } from 'node:module'

const PATCHED_VERSION = '2.2.4'
/** kafkajs' own interval for re-checking a queue that has pending requests */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10
/** what Node turns any delay below 1 ms into */
const MIN_TIMER_DELAY_MS = 1

interface RequestQueueLike {
  throttledUntil: number
  pending: readonly unknown[]
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null
  checkPendingRequests(): void
  scheduleCheckPendingRequests(): void
}

interface RequestQueueClass {
  prototype: RequestQueueLike
}

const require = createRequire(import.meta.url)

/** true once the patch is in place (false: a kafkajs version this patch was not written for) */
export const patchKafkajsNegativeTimeout = (): boolean => {
  const { version } = require('kafkajs/package.json') as { version: string }
  if (version !== PATCHED_VERSION) return false
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as RequestQueueClass
  // upstream's logic, less the timer when nothing waits, with the delay clamped where Node clamps it
  RequestQueue.prototype.scheduleCheckPendingRequests = function (this: RequestQueueLike): void {
    if (this.throttleCheckTimeoutId || this.pending.length === 0) return
    let scheduleAt = this.throttledUntil - Date.now()
    if (scheduleAt <= 0) scheduleAt = CHECK_PENDING_REQUESTS_INTERVAL_MS
    this.throttleCheckTimeoutId = setTimeout(
      () => {
        this.throttleCheckTimeoutId = null
        this.checkPendingRequests()
      },
      Math.max(MIN_TIMER_DELAY_MS, scheduleAt),
    )
  }
  return true
}

export const kafkajsPatched = patchKafkajsNegativeTimeout()
