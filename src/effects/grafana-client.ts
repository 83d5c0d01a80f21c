/**
 * The service's Grafana client: folders, dashboards, search, over Grafana's legacy `/api` with ky.
 *
 * Retries are our own loop around ky (`retry: 0`) because they must include POST: every object
 * the service writes has a fixed uid and dashboards are saved with `overwrite: true`, so repeating
 * a save whose answer was lost leaves Grafana in the same state. Only "try later" answers
 * (408/429/5xx), network errors and timeouts are retried; 4xx answers are final.
 *
 * Errors are `GrafanaError`s whose `kind` tells the caller what to do. Their messages never carry
 * credentials, and the raw ky/fetch error is not attached as `cause`, since it holds the request
 * with its Authorization header and a logger could serialize it.
 */
import ky from 'ky'
import type * as t from 'io-ts'
import { isLeft } from 'fp-ts/lib/Either.js'
import { createSemaphore } from './semaphore.js'
import {
  DashboardResponse,
  decodeBody,
  DeleteDashboardResponse,
  FolderResponse,
  GrafanaMessage,
  HealthResponse,
  SaveDashboardResponse,
  SearchResponse,
} from '../codecs/grafana.js'
import {
  backoffDelay,
  defaultRetryOptions,
  isRetryableStatus,
  parseRetryAfter,
  transportFailure,
  type RetryOptions,
} from './retry-policy.js'

export type { RetryOptions } from './retry-policy.js'

export interface GrafanaAuth { token?: string; user?: string; password?: string }
export interface DashboardRef { id: number; uid: string; url: string; version: number; folderUid?: string }
export type GrafanaErrorKind = 'retryable' | 'not-found' | 'conflict' | 'unauthorized' | 'invalid' | 'fatal'

export class GrafanaError extends Error {
  override readonly name = 'GrafanaError'
  constructor(
    readonly kind: GrafanaErrorKind,
    readonly status: number | undefined,
    /** what was attempted, e.g. 'upsert dashboard abc' */
    readonly operation: string,
    detail: string,
  ) {
    super(`${operation}: ${detail}`)
  }
}

export interface GrafanaClient {
  /** create if missing; 409/412 => "exists": confirm with GET; idempotent; remembered once confirmed */
  ensureFolder(uid: string, title: string): Promise<void>
  /** the folder turned out to be missing (deleted by hand): the next ensureFolder checks again */
  forgetFolder(uid: string): void
  /** POST /api/dashboards/db with overwrite:true and a fixed uid (so retrying a POST is safe) */
  upsertDashboard(dashboard: Record<string, unknown>, folderUid: string, message: string): Promise<DashboardRef>
  getDashboard(uid: string): Promise<(DashboardRef & { model: Record<string, unknown> }) | undefined>
  /** 'absent' on 404 */
  deleteDashboard(uid: string): Promise<'deleted' | 'absent'>
  searchByTag(tag: string): Promise<ReadonlyArray<{ uid: string; url: string; folderUid?: string; title: string }>>
  health(): Promise<boolean>
  /**
   * A write whose attempt timed out may still land later (the server kept working after we gave
   * up). For the given uids, wait until any such write can no longer land, and return the uids
   * that had one, so the caller re-applies its own write on top (last writer wins again).
   */
  settle(uids: readonly string[]): Promise<readonly string[]>
  /** number of retries performed so far, per operation kind (for metrics) */
  readonly retries: ReadonlyMap<string, number>
}

export interface GrafanaClientOptions {
  baseUrl: string
  auth: GrafanaAuth
  retry?: Partial<RetryOptions>
  random?: () => number
  sleep?: (ms: number) => Promise<void>
  /** hits per search page; Grafana's default (and our default) is 1000, its maximum 5000 */
  searchPageSize?: number
  /** HTTP requests in flight at once across all lanes, so a burst cannot flood Grafana (default 32) */
  maxConcurrency?: number
  /** how long after a timed-out write it is assumed it can no longer land (default 3 x the attempt timeout) */
  settleMs?: number
}

interface Call { kind: string; operation: string; method: 'get' | 'post' | 'delete'; path: string; json?: unknown; searchParams?: URLSearchParams; /** the dashboard a write touches */ writes?: string }
interface Answer { status: number; text: string }

const kindOfStatus = (status: number): GrafanaErrorKind => {
  if (status === 400 || status === 413 || status === 422) return 'invalid'
  if (status === 401 || status === 403) return 'unauthorized'
  if (status === 404) return 'not-found'
  if (status === 409 || status === 412) return 'conflict'
  return isRetryableStatus(status) ? 'retryable' : 'fatal'
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

export const createGrafanaClient = (opts: GrafanaClientOptions): GrafanaClient => {
  const retry: RetryOptions = { ...defaultRetryOptions, ...opts.retry }
  const random = opts.random ?? Math.random
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  const pageSize = opts.searchPageSize ?? 1000
  const headers = authorization(opts.auth)
  const secrets = [opts.auth.token, opts.auth.password, headers.authorization?.split(' ')[1]].filter(
    (s): s is string => s !== undefined && s.length > 0,
  )
  const retries = new Map<string, number>()
  const slots = createSemaphore(opts.maxConcurrency ?? 32)
  const settleMs = opts.settleMs ?? 3 * retry.timeoutMs
  /** uid → when a timed-out write to it can no longer land */
  const unsettled = new Map<string, number>()
  /** folders confirmed to exist: they are never deleted by us, so one confirmation per process */
  const knownFolders = new Set<string>()
  const http = ky.create({ prefixUrl: opts.baseUrl, retry: 0, timeout: false, throwHttpErrors: false, headers })

  const redact = (text: string): string => secrets.reduce((acc, secret) => acc.split(secret).join('[redacted]'), text)
  const fail = (kind: GrafanaErrorKind, status: number | undefined, operation: string, detail: string): GrafanaError =>
    new GrafanaError(kind, status, redact(operation), redact(detail))
  const unexpected = (call: Call, answer: Answer): GrafanaError =>
    fail(kindOfStatus(answer.status), answer.status, call.operation, `HTTP ${answer.status}${grafanaMessage(answer.text)}`)
  const decode = <A>(codec: t.Decoder<unknown, A>, call: Call, answer: Answer): A => {
    const decoded = decodeBody(codec, answer.text)
    if (isLeft(decoded)) throw fail('fatal', answer.status, call.operation, decoded.left)
    return decoded.right
  }

  /** One call with retries; resolves with any final (non-retryable) answer, 4xx included. */
  /** `queued: false` skips the concurrency limit: a readiness probe must not wait behind a burst */
  const send = async (call: Call, maxRetries = retry.retries, queued = true): Promise<Answer> => {
    for (let attempt = 0; ; attempt++) {
      let reason: string
      let status: number | undefined
      let retryAfterMs: number | undefined
      const release = queued ? await slots.acquire() : () => undefined
      try {
        const response = await http(call.path, {
          method: call.method,
          signal: AbortSignal.timeout(retry.timeoutMs),
          ...(call.json === undefined ? {} : { json: call.json }),
          ...(call.searchParams === undefined ? {} : { searchParams: call.searchParams }),
        })
        const text = await response.text()
        if (!isRetryableStatus(response.status)) return { status: response.status, text }
        status = response.status
        reason = `HTTP ${status}${grafanaMessage(text)}`
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'))
      } catch (error) {
        reason = transportFailure(error, retry.timeoutMs)
        // no answer: the write may still be applied later, after whatever we do next
        if (call.writes !== undefined) unsettled.set(call.writes, Date.now() + settleMs)
      } finally {
        release()
      }
      if (attempt >= maxRetries) throw fail('retryable', status, call.operation, `${reason} (gave up after ${attempt + 1} attempt${attempt === 0 ? '' : 's'})`)
      retries.set(call.kind, (retries.get(call.kind) ?? 0) + 1)
      await sleep(backoffDelay(attempt, retry, random, retryAfterMs))
    }
  }
  const ok = (answer: Answer): boolean => answer.status >= 200 && answer.status < 300

  const ensureFolderExists = async (uid: string, title: string): Promise<void> => {
    const operation = `ensure folder ${uid}`
    const create: Call = { kind: 'folder.create', operation, method: 'post', path: 'api/folders', json: { uid, title } }
    const created = await send(create)
    if (ok(created)) return void decode(FolderResponse, create, created)
    if (created.status !== 409 && created.status !== 412) throw unexpected(create, created)
    // "exists" in either flavour; but a 409 may also mean another folder has this title.
    const get: Call = { kind: 'folder.get', operation, method: 'get', path: `api/folders/${encodeURIComponent(uid)}` }
    const found = await send(get)
    if (ok(found)) return void decode(FolderResponse, get, found)
    if (found.status === 404) {
      throw fail('conflict', created.status, operation, `create answered ${created.status} but no folder has this uid (another folder may have the title "${title}")`)
    }
    throw unexpected(get, found)
  }

  return {
    retries,
    ensureFolder: async (uid, title) => {
      if (knownFolders.has(uid)) return
      await ensureFolderExists(uid, title)
      knownFolders.add(uid)
    },
    forgetFolder: (uid) => {
      knownFolders.delete(uid)
    },
    upsertDashboard: async (dashboard, folderUid, message) => {
      const { uid, title } = dashboard
      if (typeof uid !== 'string' || uid === '' || typeof title !== 'string') {
        throw fail('invalid', undefined, 'upsert dashboard', 'the dashboard must carry a uid and a title')
      }
      const call: Call = {
        kind: 'dashboard.upsert',
        operation: `upsert dashboard ${uid}`,
        writes: uid,
        method: 'post',
        path: 'api/dashboards/db',
        // id:null makes Grafana match by uid, never by a stale numeric id copied from a GET.
        json: { dashboard: { ...dashboard, id: null }, folderUid, overwrite: true, message },
      }
      const answer = await send(call)
      if (!ok(answer)) throw unexpected(call, answer)
      const saved = decode(SaveDashboardResponse, call, answer)
      if (saved.uid !== uid) {
        // Grafana's overwrite takes over a same-titled dashboard in the folder instead of ours.
        throw fail('conflict', answer.status, call.operation, `Grafana saved it as ${saved.uid}: a dashboard with the same title exists in the folder`)
      }
      const savedFolder = saved.folderUid ?? folderUid
      return { id: saved.id, uid: saved.uid, url: saved.url, version: saved.version, ...(savedFolder === '' ? {} : { folderUid: savedFolder }) }
    },
    getDashboard: async (uid) => {
      const call: Call = { kind: 'dashboard.get', operation: `get dashboard ${uid}`, method: 'get', path: `api/dashboards/uid/${encodeURIComponent(uid)}` }
      const answer = await send(call)
      if (answer.status === 404) return undefined
      if (!ok(answer)) throw unexpected(call, answer)
      const { dashboard, meta } = decode(DashboardResponse, call, answer)
      const folderUid = meta.folderUid === undefined || meta.folderUid === '' ? {} : { folderUid: meta.folderUid }
      return { id: dashboard.id, uid: dashboard.uid, url: meta.url, version: dashboard.version, ...folderUid, model: dashboard }
    },
    deleteDashboard: async (uid) => {
      const call: Call = { kind: 'dashboard.delete', operation: `delete dashboard ${uid}`, writes: uid, method: 'delete', path: `api/dashboards/uid/${encodeURIComponent(uid)}` }
      const answer = await send(call)
      if (answer.status === 404) return 'absent'
      if (!ok(answer)) throw unexpected(call, answer)
      decode(DeleteDashboardResponse, call, answer)
      return 'deleted'
    },
    searchByTag: async (tag) => {
      const found: Array<{ uid: string; url: string; folderUid?: string; title: string }> = []
      // Grafana pages search results; stopping at the first page would silently lose dashboards.
      for (let page = 1; ; page++) {
        const searchParams = new URLSearchParams({ tag, type: 'dash-db', limit: String(pageSize), page: String(page) })
        const call: Call = { kind: 'search', operation: `search tag ${tag}`, method: 'get', path: 'api/search', searchParams }
        const answer = await send(call)
        if (!ok(answer)) throw unexpected(call, answer)
        const hits = decode(SearchResponse, call, answer)
        for (const hit of hits.filter((h) => h.type === 'dash-db')) {
          const folder = hit.folderUid === undefined || hit.folderUid === '' ? {} : { folderUid: hit.folderUid }
          found.push({ uid: hit.uid, url: hit.url, title: hit.title, ...folder })
        }
        if (hits.length < pageSize) return found
      }
    },
    settle: async (uids) => {
      const pending = uids.filter((uid) => unsettled.has(uid))
      const until = Math.max(0, ...pending.map((uid) => unsettled.get(uid) ?? 0))
      if (until > Date.now()) await sleep(until - Date.now())
      pending.forEach((uid) => unsettled.delete(uid))
      return pending
    },
    health: async () => {
      // A probe must answer fast and say "not now", so no retries and no throwing.
      const call: Call = { kind: 'health', operation: 'health', method: 'get', path: 'api/health' }
      try {
        const answer = await send(call, 0, false)
        return ok(answer) && decode(HealthResponse, call, answer).database === 'ok'
      } catch {
        return false
      }
    },
  }
}
