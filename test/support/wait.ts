/**
 * Waiting in tests: on a condition, never on a guess of how long something takes (the machine
 * may be loaded); `sleep` only to space out polls or to let a fault window pass.
 */
import type { ResultCollector } from './kafka-helpers.js'
import { resultsByRef, type SentRequest } from './invariants.js'
import { sleep } from '../../dev/process-utils.js'

export { sleep } from '../../dev/process-utils.js'

export interface PollOptions {
  readonly timeoutMs?: number
  readonly everyMs?: number
  /** keep polling when the probe throws (a server still starting); otherwise the error ends the wait */
  readonly retryErrors?: boolean
}

/** Polls `probe` until `done` accepts its value and returns that value; the timeout error names `what` and the last value (or error) seen. */
export const eventually = async <T>(probe: () => T | Promise<T>, done: (value: T) => boolean, what: string, options: PollOptions = {}): Promise<T> => {
  const timeoutMs = options.timeoutMs ?? 20_000
  const deadline = Date.now() + timeoutMs
  let last: { value: T } | undefined
  let lastError: unknown
  for (;;) {
    try {
      const value = await probe()
      if (done(value)) return value
      last = { value }
    } catch (error) {
      if (options.retryErrors !== true) throw error
      lastError = error
    }
    if (Date.now() > deadline) {
      const seen = last === undefined ? String(lastError) : JSON.stringify(last.value instanceof Map ? [...last.value] : last.value)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${seen}`)
    }
    await sleep(options.everyMs ?? 100)
  }
}

/** Polls `check` until it holds. */
export const until = async (check: () => boolean | Promise<boolean>, what: string, options: PollOptions = {}): Promise<void> => {
  await eventually(check, (holds) => holds, what, options)
}

/** How many of `requests` have at least one result. */
export const answered = (results: ResultCollector, requests: readonly SentRequest[]): number => {
  const byRef = resultsByRef(results.messages)
  return requests.filter((r) => byRef.has(r.kogitoprocinstanceid)).length
}

/** Resolves once `count` of `requests` (all by default) have a result; the timeout error names some that have none. */
export const awaitAnswered = async (
  results: ResultCollector,
  requests: readonly SentRequest[],
  options: { count?: number; timeoutMs?: number } = {},
): Promise<void> => {
  const count = options.count ?? requests.length
  const timeoutMs = options.timeoutMs ?? 60_000
  const deadline = Date.now() + timeoutMs
  while (answered(results, requests) < count) {
    if (Date.now() > deadline) {
      const byRef = resultsByRef(results.messages)
      const missing = requests.filter((r) => !byRef.has(r.kogitoprocinstanceid))
      throw new Error(
        `${requests.length - missing.length} of ${requests.length} requests answered after ${timeoutMs} ms (wanted ${count}), e.g. no result for ${missing
          .slice(0, 5)
          .map((r) => String(r.data['serviceId']))
          .join(', ')}`,
      )
    }
    await sleep(100)
  }
}
