/**
 * What a failed Kubernetes call means to the secret writer: a `KubeError` kind to act on
 * (conflict → re-read and re-apply, retryable → back off, too-large → the object is full, anything
 * else → FAILURE), with the apiserver's own message and its Retry-After when it gave one.
 */
import { ApiException } from '@kubernetes/client-node'
import { parseRetryAfter } from '../../support/backoff.js'
import { neverSent } from '../retry-policy.js'

export type KubeError = {
  kind: 'conflict' | 'not-found' | 'unauthorized' | 'forbidden' | 'invalid' | 'too-large' | 'retryable' | 'fatal'
  status?: number
  message: string
  retryAfterMs?: number
  /** too-large: the limit the apiserver named, in bytes */
  limitBytes?: number
  /** retryable: the request never reached the apiserver (connection refused, name not resolved) */
  notSent?: true
}

/** What every SecretClient method rejects with; `error` is the classification to act on. */
export class KubeErrorException extends Error {
  constructor(readonly error: KubeError) {
    super(error.message)
    this.name = 'KubeErrorException'
  }
}

const kindForStatus = (status: number): KubeError['kind'] => {
  if (status === 409) return 'conflict'
  if (status === 404) return 'not-found'
  if (status === 401) return 'unauthorized'
  if (status === 403) return 'forbidden'
  if (status === 400 || status === 422) return 'invalid'
  if (status === 408 || status === 429 || status >= 500) return 'retryable'
  return 'fatal'
}

/** The Retry-After header when readable, else the Status body's `details.retryAfterSeconds`; the writers bound it. */
const retryAfterMs = (header: string | undefined, bodySeconds: number | undefined, now: number): number | undefined =>
  parseRetryAfter(header, now) ?? (bodySeconds === undefined ? undefined : bodySeconds * 1000)

interface StatusBody {
  readonly message?: unknown
  readonly details?: unknown
}

/**
 * An object over the apiserver's size limit: 413, or 422 with a `FieldValueTooLong` cause (a
 * Secret's data over 1 MiB: `Too long: must have at most 1048576 bytes`). The limit, when the
 * cause names one.
 */
const tooLarge = (status: number, details: unknown): { readonly limitBytes?: number } | undefined => {
  if (status === 413) return {}
  if (status !== 422 || typeof details !== 'object' || details === null) return undefined
  const causes: unknown = (details as { causes?: unknown }).causes
  if (!Array.isArray(causes)) return undefined
  for (const cause of causes as unknown[]) {
    if (typeof cause !== 'object' || cause === null) continue
    const { reason, message } = cause as { reason?: unknown; message?: unknown }
    if (reason !== 'FieldValueTooLong') continue
    const limit = typeof message === 'string' ? /at most (\d+) bytes/.exec(message)?.[1] : undefined
    return limit === undefined ? {} : { limitBytes: Number(limit) }
  }
  return undefined
}

/** client-node hands the Status body over as raw JSON text (or nothing, for 401). */
const parseStatus = (body: unknown): StatusBody => {
  if (typeof body === 'object' && body !== null) return body
  if (typeof body !== 'string') return {}
  try {
    const parsed = JSON.parse(body) as unknown
    return typeof parsed === 'object' && parsed !== null ? parsed : {}
  } catch {
    return {}
  }
}

/**
 * Maps anything a client-node call can throw to a KubeError. HTTP failures keep their status;
 * aborted requests (our timeout) and socket errors are retryable; anything else is a bug or a
 * broken configuration and is fatal.
 */
export const classifyKubeError = (error: unknown, context: string, timeoutMs?: number, now = Date.now()): KubeError => {
  if (error instanceof ApiException) {
    const status = error.code
    const body = parseStatus(error.body)
    const reason = typeof body.message === 'string' ? body.message : `HTTP ${status}`
    const headers: Record<string, string | undefined> = error.headers ?? {}
    const details: { retryAfterSeconds?: unknown } = typeof body.details === 'object' && body.details !== null ? body.details : {}
    const bodySeconds = typeof details.retryAfterSeconds === 'number' ? details.retryAfterSeconds : undefined
    const message = `${context}: ${status} ${reason}`
    const full = tooLarge(status, body.details)
    if (full !== undefined) return { kind: 'too-large', status, message, ...full }
    const kind = kindForStatus(status)
    const wait = kind === 'retryable' ? retryAfterMs(headers['retry-after'], bodySeconds, now) : undefined
    return wait === undefined ? { kind, status, message } : { kind, status, message, retryAfterMs: wait }
  }
  if (error instanceof Error) {
    if (error.name === 'AbortError' || error.name === 'TimeoutError') {
      return { kind: 'retryable', message: `${context}: no answer within ${timeoutMs ?? '?'} ms` }
    }
    const code = (error as Error & { code?: unknown }).code
    if (error.name === 'FetchError' || typeof code === 'string') {
      return { kind: 'retryable', message: `${context}: ${error.message}`, ...(neverSent(error) ? { notSent: true as const } : {}) }
    }
    return { kind: 'fatal', message: `${context}: ${error.message}` }
  }
  return { kind: 'fatal', message: `${context}: ${String(error)}` }
}

/** The call was sent but got no answer (our timeout, a lost connection) or a gateway gave up waiting (504): a write may still have landed. */
export const noAnswer = (error: KubeError): boolean =>
  (error.kind === 'retryable' && error.status === undefined && error.notSent !== true) || error.status === 504
