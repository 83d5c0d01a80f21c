/**
 * kafkajs 2.2.4 asks for a negative `setTimeout` delay whenever a connection is not throttled:
 * `RequestQueue.scheduleCheckPendingRequests` computes `throttledUntil - Date.now()` with
 * `throttledUntil = -1` (kafkajs issue #1751, open upstream; the library is unmaintained). Every
 * Node clamps such a delay to 1 ms, so nothing misbehaves, but Node 24 also prints a
 * `TimeoutNegativeWarning` on stderr from every process that connects (the service and each CLI
 * command), which buries real warnings.
 *
 * The project keeps this one-method patch at the Kafka door instead of moving to another client:
 * the clamp is written out (the same 1 ms every Node already applies), so behaviour is identical on
 * every runtime, it is applied at import, needs no install step (the image installs with
 * `--ignore-scripts`), and only to the exact version it was written against; any other version is
 * left alone and a unit test fails, so an upgrade is a decision, not an accident.
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
  // the same logic as upstream, with the delay clamped where Node would clamp it silently
  RequestQueue.prototype.scheduleCheckPendingRequests = function (this: RequestQueueLike): void {
    if (this.throttleCheckTimeoutId) return
    let scheduleAt = this.throttledUntil - Date.now()
    if (this.pending.length > 0 && scheduleAt <= 0) scheduleAt = CHECK_PENDING_REQUESTS_INTERVAL_MS
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
