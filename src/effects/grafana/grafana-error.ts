/**
 * What a failed Grafana call means to the caller. Messages never carry credentials (the transport
 * redacts them before building one), and no raw ky/fetch error is attached as `cause`, since it
 * holds the request with its Authorization header and a logger could serialize it.
 */
import { isRetryableStatus } from '../retry-policy.js'

export type GrafanaErrorKind = 'retryable' | 'not-found' | 'conflict' | 'unauthorized' | 'invalid' | 'fatal'

export class GrafanaError extends Error {
  override readonly name = 'GrafanaError'
  constructor(
    readonly kind: GrafanaErrorKind,
    readonly status: number | undefined,
    /** what was attempted, e.g. 'upsert dashboard abc' */
    readonly operation: string,
    readonly detail: string,
    /** a write that got no readable answer (timed out, connection lost, 504, a 2xx that did not decode): it may have landed */
    readonly mayHaveLanded = false,
  ) {
    super(`${operation}: ${detail}`)
  }
}

export const kindOfStatus = (status: number): GrafanaErrorKind => {
  if (status === 400 || status === 413 || status === 422) return 'invalid'
  if (status === 401 || status === 403) return 'unauthorized'
  if (status === 404) return 'not-found'
  if (status === 409 || status === 412) return 'conflict'
  return isRetryableStatus(status) ? 'retryable' : 'fatal'
}

/**
 * `error`, now saying that the write may have landed: a save refused as existing found a dashboard
 * under its uid that the log does not know (most often one of its own earlier saves that landed
 * unseen), and failing after that leaves it there.
 */
export const mayHaveLanded = (error: unknown): unknown =>
  error instanceof GrafanaError && !error.mayHaveLanded ? new GrafanaError(error.kind, error.status, error.operation, error.detail, true) : error
