/**
 * When and how long to wait before retrying an HTTP call to an external API.
 *
 * Full jitter (a uniform delay in [0, min(max, base·2^attempt)]) spreads the retries of many
 * callers that failed together, so a recovering server is not hit by synchronized waves. A
 * server's `Retry-After` wins over the computed delay (it knows its own load), capped at
 * `maxDelayMs` so one bad header cannot park a request for an hour.
 */

export interface RetryOptions {
  /** retries after the first attempt; default 4 */
  retries: number
  /** default 200 */
  baseDelayMs: number
  /** default 5000 */
  maxDelayMs: number
  /** per attempt; default 10000 */
  timeoutMs: number
}

export const defaultRetryOptions: RetryOptions = { retries: 4, baseDelayMs: 200, maxDelayMs: 5000, timeoutMs: 10000 }

/** Statuses that say "try again later"; everything else in 4xx is the caller's problem. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

export const isRetryableStatus = (status: number): boolean => RETRYABLE_STATUSES.has(status)

/**
 * `Retry-After` in milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable.
 * A date in the past means "now" (0).
 */
export const parseRetryAfter = (header: string | null | undefined, now: number = Date.now()): number | undefined => {
  if (header === null || header === undefined) return undefined
  const value = header.trim()
  if (value === '') return undefined
  if (/^\d+$/.test(value)) return Number.parseInt(value, 10) * 1000
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/**
 * Delay before retry number `attempt` (0 = the first retry). `random` returns [0, 1).
 */
export const backoffDelay = (
  attempt: number,
  options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number,
  retryAfterMs?: number,
): number => {
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), options.maxDelayMs)
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.min(attempt, 30))
  return Math.floor(random() * ceiling)
}

/**
 * Why an attempt failed without an HTTP answer (always retryable): a timeout, or the network
 * error fetch reports, with undici's cause code (ECONNREFUSED, UND_ERR_SOCKET, ...) when present.
 */
export const transportFailure = (error: unknown, timeoutMs: number): string => {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `timed out after ${timeoutMs} ms`
  }
  if (!(error instanceof Error)) return 'network error'
  const cause: unknown = error.cause
  if (!(cause instanceof Error)) return `network error: ${error.message}`
  const code = 'code' in cause && typeof cause.code === 'string' ? cause.code : cause.message
  return `network error: ${error.message} (${code})`
}

/**
 * Delay before the next attempt of a step that failed on a transient fault (attempt 0 = the first
 * retry), for outages of seconds to minutes rather than sub-second blips: "equal jitter", half the
 * capped exponential ceiling plus a uniform share of the other half, so retries spread out but
 * never come back at once after a failure (`random` returns [0, 1)).
 */
export const patientRetryDelay = (attempt: number, options: { readonly baseDelayMs: number; readonly maxDelayMs: number }, random: () => number): number => {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.min(attempt, 30))
  return Math.floor(ceiling / 2 + random() * (ceiling / 2))
}
