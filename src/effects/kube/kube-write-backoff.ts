/**
 * How both scrape backends wait between the attempts of one write: briefly, because a lane waits
 * on it (the request's patience, REQUEST_DEADLINE, takes over after the last attempt). Full
 * jitter under 100 ms doubling to 2 s; the apiserver's Retry-After is honoured up to 10 s, so one
 * hint cannot park a lane for minutes.
 */
import type { Backoff } from '../../support/backoff.js'

export const KUBE_WRITE_BACKOFF: Backoff = { baseDelayMs: 100, maxDelayMs: 2000, jitter: 'full', maxRetryAfterMs: 10_000 }
