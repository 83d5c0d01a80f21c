/**
 * What a failed Kubernetes call means to the secret writer: a `KubeError` kind to act on
 * (conflict → re-read and re-apply, retryable → back off, anything else → FAILURE), with the
 * apiserver's own message and its Retry-After when it gave one.
 */
import { ApiException } from '@kubernetes/client-node'
import { parseRetryAfter } from '../../support/backoff.js'

export type KubeError = {
  kind: 'conflict' | 'not-found' | 'unauthorized' | 'forbidden' | 'invalid' | 'retryable' | 'fatal'
  status?: number
  message: string
  retryAfterMs?: number
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
    const kind = kindForStatus(status)
    const wait = kind === 'retryable' ? retryAfterMs(headers['retry-after'], bodySeconds, now) : undefined
    const message = `${context}: ${status} ${reason}`
    return wait === undefined ? { kind, status, message } : { kind, status, message, retryAfterMs: wait }
  }
  if (error instanceof Error) {
    if (error.name === 'AbortError' || error.name === 'TimeoutError') {
      return { kind: 'retryable', message: `${context}: no answer within ${timeoutMs ?? '?'} ms` }
    }
    const code = (error as Error & { code?: unknown }).code
    if (error.name === 'FetchError' || typeof code === 'string') {
      return { kind: 'retryable', message: `${context}: ${error.message}` }
    }
    return { kind: 'fatal', message: `${context}: ${error.message}` }
  }
  return { kind: 'fatal', message: `${context}: ${String(error)}` }
}
