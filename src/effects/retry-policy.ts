/**
 * Which HTTP answers to an external API are worth another attempt, and the Grafana client's retry
 * settings. How long to wait between attempts (capped exponential, full jitter, a bounded
 * `Retry-After`) is `support/backoff.ts`, shared by every layer that retries.
 */

export interface RetryOptions {
  /** retries after the first attempt; default 4 */
  retries: number
  /** the first retry's longest wait (full jitter), doubled per retry; default 200 */
  baseDelayMs: number
  /** cap of a wait, a server's Retry-After included; default 5000 */
  maxDelayMs: number
  /** per attempt; default 10000 */
  timeoutMs: number
}

export const defaultRetryOptions: RetryOptions = { retries: 4, baseDelayMs: 200, maxDelayMs: 5000, timeoutMs: 10000 }

/** Statuses that say "try again later"; everything else in 4xx is the caller's problem. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

export const isRetryableStatus = (status: number): boolean => RETRYABLE_STATUSES.has(status)

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

/** Connection errors that mean the request never reached the server, so nothing it asked for can land. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])

/** `error` (fetch's, or its cause's, `code`) says the request was never sent: a write in it did not land. */
export const neverSent = (error: unknown): boolean => {
  if (!(error instanceof Error)) return false
  const codeOf = (u: unknown): unknown => (u instanceof Error && 'code' in u ? u.code : undefined)
  const code = codeOf(error) ?? codeOf(error.cause)
  return typeof code === 'string' && NOT_SENT_CODES.has(code)
}
