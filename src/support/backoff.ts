/**
 * How long to wait before trying again: the one set of delay rules for every layer that retries
 * (the Grafana transport, both Kubernetes scrape writers, the inbox, the Kafka consumer restart,
 * a request's patience with transient faults). Each layer names its own `Backoff`; the formulas
 * live only here. Pure: the randomness and the clock come in as arguments.
 *
 * - Capped exponential: the ceiling of retry `attempt` (0 = the first retry) is
 *   min(maxDelayMs, baseDelayMs · 2^attempt).
 * - Jitter spreads the retries of callers that failed together, so a recovering server is not hit
 *   by synchronized waves: `full` waits uniformly in [0, ceiling) (short blips, many callers),
 *   `equal` waits half the ceiling plus a uniform share of the other half (outages of minutes: the
 *   wait still grows), `none` waits the ceiling (one caller, e.g. a restart).
 * - A server's `Retry-After` wins over the computed delay (it knows its own load), bounded by
 *   `maxRetryAfterMs` so an outsider cannot make us sleep for hours.
 * - A deadline ends the retries: an attempt that would start at or after it is not made.
 */

export type Jitter = 'full' | 'equal' | 'none'

export interface Backoff {
  /** the ceiling of the first retry's wait, doubled per further retry */
  readonly baseDelayMs: number
  /** no computed wait is longer */
  readonly maxDelayMs: number
  readonly jitter: Jitter
  /** the longest `Retry-After` honoured; default `maxDelayMs` */
  readonly maxRetryAfterMs?: number
}

/** 2^30 times any base is already past every cap; the exponent stops there so the product stays finite. */
const MAX_EXPONENT = 30

/** The capped exponential ceiling of retry `attempt` (0 = the first retry). */
export const backoffCeiling = (attempt: number, backoff: Pick<Backoff, 'baseDelayMs' | 'maxDelayMs'>): number =>
  Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** Math.min(Math.max(0, attempt), MAX_EXPONENT))

/** A server's `Retry-After` (ms) as a wait: never negative, never past `maxRetryAfterMs` (else `maxDelayMs`). */
export const boundedRetryAfter = (retryAfterMs: number, backoff: Pick<Backoff, 'maxDelayMs' | 'maxRetryAfterMs'>): number =>
  Math.min(Math.max(0, retryAfterMs), backoff.maxRetryAfterMs ?? backoff.maxDelayMs)

/**
 * The wait before retry `attempt` (0 = the first retry), in whole milliseconds. `random` returns
 * [0, 1); `retryAfterMs`, when the server gave one, replaces the computed delay (bounded).
 */
export const backoffDelay = (attempt: number, backoff: Backoff, random: () => number = Math.random, retryAfterMs?: number): number => {
  if (retryAfterMs !== undefined && !Number.isNaN(retryAfterMs)) return Math.floor(boundedRetryAfter(retryAfterMs, backoff))
  const ceiling = backoffCeiling(attempt, backoff)
  switch (backoff.jitter) {
    case 'full':
      return Math.floor(random() * ceiling)
    case 'equal':
      return Math.floor(ceiling / 2 + random() * (ceiling / 2))
    case 'none':
      return Math.floor(ceiling)
  }
}

/**
 * `Retry-After` (RFC 9110) in milliseconds: delta-seconds or an HTTP date; undefined when absent
 * or unreadable. A date in the past means "now" (0). Unbounded: the caller's `Backoff` bounds it.
 */
export const parseRetryAfter = (header: string | null | undefined, now: number = Date.now()): number | undefined => {
  if (header === null || header === undefined) return undefined
  const value = header.trim()
  // delta-seconds; a fraction is read too (some servers send one)
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000
  // an HTTP date names a day or a month; Date.parse alone would read "1.5" as a date in 2001
  if (!/[a-z]/i.test(value)) return undefined
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** When the next attempt starts, `delayMs` from `nowMs`; undefined when that is not before the deadline (give up). */
export const nextAttemptAt = (nowMs: number, delayMs: number, deadlineMs: number): number | undefined =>
  nowMs + delayMs < deadlineMs ? nowMs + delayMs : undefined
