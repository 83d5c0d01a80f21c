/**
 * One Grafana HTTP call with retries, a global concurrency limit and credential redaction; the
 * operations in grafana-client.ts are built on it.
 *
 * Retries are our own loop around ky (`retry: 0`) because they must include POST: every object
 * the service writes has a fixed uid and dashboards are saved with `overwrite: true`, so repeating
 * a save whose answer was lost leaves Grafana in the same state (a create-only first save repeated
 * is refused as existing, and the save goes on as an overwrite). Only "try later" answers
 * (408/429/5xx), network errors and timeouts are retried; 4xx answers are final.
 */
import ky from 'ky'
import type * as t from 'io-ts'
import { isLeft } from 'fp-ts/lib/Either.js'
import { decodeBody, GrafanaMessage } from '../../codecs/apis/grafana.js'
import { GrafanaError, kindOfStatus, type GrafanaErrorKind } from './grafana-error.js'
import { createSemaphore } from '../../operators/semaphore.js'
import type { Hedger, ReadOutcome } from '../hedged-read.js'
import { defaultRetryOptions, isRetryableStatus, neverSent, transportFailure, type RetryOptions } from '../retry-policy.js'
import { backoffDelay, parseRetryAfter, type Backoff } from '../../support/backoff.js'
import type { Tracing } from '../../support/tracing/tracing.js'
import { startClientSpan } from '../client-span.js'

export interface GrafanaAuth {
  token?: string
  user?: string
  password?: string
}

export interface Call {
  /** metric label and retry counter key, e.g. 'dashboard.upsert' */
  kind: string
  operation: string
  method: 'get' | 'post' | 'put' | 'delete'
  path: string
  json?: unknown
  searchParams?: URLSearchParams
  /** the dashboard a write touches */
  writes?: string
}
export interface Answer {
  status: number
  text: string
}

export interface TransportOptions {
  baseUrl: string
  auth: GrafanaAuth
  retry?: Partial<RetryOptions>
  random?: () => number
  sleep?: (ms: number) => Promise<void>
  /** HTTP requests in flight at once across all lanes, so a burst cannot flood Grafana (default 32) */
  maxConcurrency?: number
  /** how long after a timed-out write it is assumed it can no longer land (default 3 x the attempt timeout) */
  settleMs?: number
  /** the largest answer body read; a bigger one is a `fatal` error, never buffered whole (default 16 MiB) */
  maxBodyBytes?: number
  /** a CLIENT span per HTTP request (each attempt) */
  tracing?: Tracing
  /** hedges queued GETs (the service passes one); never writes */
  hedger?: Hedger
}

export interface GrafanaTransport {
  /**
   * One call with retries; resolves with any final (non-retryable) answer, 4xx included.
   * `queued: false` skips the concurrency limit: a readiness probe must not wait behind a burst.
   */
  readonly send: (call: Call, opts?: { maxRetries?: number; queued?: boolean }) => Promise<Answer>
  readonly fail: (kind: GrafanaErrorKind, status: number | undefined, operation: string, detail: string, mayHaveLanded?: boolean) => GrafanaError
  /** the error for an answer the operation did not expect */
  readonly unexpected: (call: Call, answer: Answer) => GrafanaError
  readonly decode: <A>(codec: t.Decoder<unknown, A>, call: Call, answer: Answer) => A
  /** see GrafanaClient.settle */
  readonly settle: (uids: readonly string[]) => Promise<readonly string[]>
  readonly retries: ReadonlyMap<string, number>
}

interface Reply {
  readonly response: Response
  readonly text: string
}

/** A failing or throttling Grafana: no hedging for a while after one of these. */
const distressed = (outcome: ReadOutcome<Reply>): boolean => !outcome.ok || isRetryableStatus(outcome.value.response.status)

export const isOk = (answer: Answer): boolean => answer.status >= 200 && answer.status < 300

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024

class BodyTooLarge extends Error {}

/** The body as text, or BodyTooLarge as soon as more than `max` bytes arrived (the rest is not read). */
const readText = async (response: Response, max: number): Promise<string> => {
  const declared = Number(response.headers.get('content-length') ?? '0')
  if (declared > max) {
    await response.body?.cancel()
    throw new BodyTooLarge(`answer of ${declared} bytes, more than the ${max} read`)
  }
  if (response.body === null) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = response.body.getReader()
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    const value: unknown = read.value
    const chunk = value instanceof Uint8Array ? value : Buffer.from(String(value))
    size += chunk.byteLength
    if (size > max) {
      await reader.cancel().catch(() => undefined)
      throw new BodyTooLarge(`answer of more than ${max} bytes`)
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

const grafanaMessage = (text: string): string => {
  const decoded = decodeBody(GrafanaMessage, text)
  return isLeft(decoded) ? '' : `: ${decoded.right.message}`
}

const authorization = (auth: GrafanaAuth): Record<string, string> => {
  if (auth.token !== undefined && auth.token !== '') return { authorization: `Bearer ${auth.token}` }
  if (auth.user !== undefined) return { authorization: `Basic ${Buffer.from(`${auth.user}:${auth.password ?? ''}`).toString('base64')}` }
  return {}
}

export const createGrafanaTransport = (opts: TransportOptions): GrafanaTransport => {
  const retry: RetryOptions = { ...defaultRetryOptions, ...opts.retry }
  const backoff: Backoff = { baseDelayMs: retry.baseDelayMs, maxDelayMs: retry.maxDelayMs, jitter: 'full' }
  const random = opts.random ?? Math.random
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  const headers = authorization(opts.auth)
  const secrets = [opts.auth.token, opts.auth.password, headers.authorization?.split(' ')[1]].filter((s): s is string => s !== undefined && s.length > 0)
  const retries = new Map<string, number>()
  const slots = createSemaphore(opts.maxConcurrency ?? 32)
  const settleMs = opts.settleMs ?? 3 * retry.timeoutMs
  /** uid → when a timed-out write to it can no longer land */
  const unsettled = new Map<string, number>()
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const http = ky.create({ prefixUrl: opts.baseUrl, retry: 0, timeout: false, throwHttpErrors: false, headers })

  const redact = (text: string): string => secrets.reduce((acc, secret) => acc.split(secret).join('[redacted]'), text)
  const fail = (kind: GrafanaErrorKind, status: number | undefined, operation: string, detail: string, mayHaveLanded = false): GrafanaError =>
    new GrafanaError(kind, status, redact(operation), redact(detail), mayHaveLanded)

  const send = async (call: Call, { maxRetries = retry.retries, queued = true }: { maxRetries?: number; queued?: boolean } = {}): Promise<Answer> => {
    // a write that any attempt sent without a readable answer may have landed, whatever the last attempt got
    let unanswered = false
    for (let attempt = 0; ; attempt++) {
      let reason: string
      let status: number | undefined
      let retryAfterMs: number | undefined
      const release = queued ? await slots.acquire() : () => undefined
      const span = startClientSpan(opts.tracing, `${call.method.toUpperCase()} ${call.kind}`, {
        'http.request.method': call.method.toUpperCase(),
        'url.path': `/${call.path}`,
        'http.request.resend_count': attempt,
        'telemetry.grafana.operation': call.operation,
      })
      const once = async (signal?: AbortSignal): Promise<Reply> => {
        const timeout = AbortSignal.timeout(retry.timeoutMs)
        const response = await http(call.path, {
          method: call.method,
          signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
          ...(call.json === undefined ? {} : { json: call.json }),
          ...(call.searchParams === undefined ? {} : { searchParams: call.searchParams }),
          ...(span === undefined ? {} : { headers: span.headers }),
        })
        return { response, text: await readText(response, maxBodyBytes) }
      }
      try {
        const { response, text } =
          call.method === 'get' && queued && opts.hedger !== undefined ? await opts.hedger.read(call.kind, once, distressed) : await once()
        span?.answered(response.status)
        if (!isRetryableStatus(response.status)) return { status: response.status, text }
        status = response.status
        reason = `HTTP ${status}${grafanaMessage(text)}`
        // a gateway that gave up waiting: Grafana behind it may still have saved
        if (status === 504 && call.writes !== undefined) unanswered = true
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'))
      } catch (error) {
        if (error instanceof BodyTooLarge) throw fail('fatal', undefined, call.operation, error.message, call.writes !== undefined)
        reason = transportFailure(error, retry.timeoutMs)
        span?.failed(reason)
        // no answer: the write may still be applied later, after whatever we do next (unless it never left)
        if (call.writes !== undefined && !neverSent(error)) {
          unsettled.set(call.writes, Date.now() + settleMs)
          unanswered = true
        }
      } finally {
        release()
      }
      if (attempt >= maxRetries)
        throw fail('retryable', status, call.operation, `${reason} (gave up after ${attempt + 1} attempt${attempt === 0 ? '' : 's'})`, unanswered)
      retries.set(call.kind, (retries.get(call.kind) ?? 0) + 1)
      await sleep(backoffDelay(attempt, backoff, random, retryAfterMs))
    }
  }

  return {
    send,
    fail,
    retries,
    unexpected: (call, answer) => fail(kindOfStatus(answer.status), answer.status, call.operation, `HTTP ${answer.status}${grafanaMessage(answer.text)}`),
    decode: (codec, call, answer) => {
      const decoded = decodeBody(codec, answer.text)
      // a write Grafana answered 2xx did land, even when its answer is unreadable
      if (isLeft(decoded)) throw fail('fatal', answer.status, call.operation, decoded.left, call.writes !== undefined && answer.status < 300)
      return decoded.right
    },
    settle: async (uids) => {
      const pending = uids.filter((uid) => unsettled.has(uid))
      const until = Math.max(0, ...pending.map((uid) => unsettled.get(uid) ?? 0))
      if (until > Date.now()) await sleep(until - Date.now())
      pending.forEach((uid) => unsettled.delete(uid))
      return pending
    },
  }
}
