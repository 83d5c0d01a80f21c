/**
 * The service's Grafana client: folders, dashboards, search, over Grafana's legacy `/api`.
 * Each operation is one or two calls through the transport (retries, concurrency limit,
 * redaction: grafana-transport.ts); errors are `GrafanaError`s whose `kind` tells the caller
 * what to do.
 */
import {
  DashboardResponse,
  DeleteDashboardResponse,
  FolderResponse,
  HealthResponse,
  SaveDashboardResponse,
  SearchResponse,
} from '../codecs/grafana.js'
import { createGrafanaTransport, isOk, type Call, type TransportOptions } from './grafana-transport.js'

export type { RetryOptions } from './retry-policy.js'
export type { GrafanaAuth } from './grafana-transport.js'
export { GrafanaError, type GrafanaErrorKind } from './grafana-error.js'

export interface DashboardRef { id: number; uid: string; url: string; version: number; folderUid?: string }

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

export interface GrafanaClientOptions extends TransportOptions {
  /** hits per search page; Grafana's default (and our default) is 1000, its maximum 5000 */
  searchPageSize?: number
}

export const createGrafanaClient = (opts: GrafanaClientOptions): GrafanaClient => {
  const transport = createGrafanaTransport(opts)
  const { send, fail, unexpected, decode } = transport
  const pageSize = opts.searchPageSize ?? 1000
  /** folders confirmed to exist: they are never deleted by us, so one confirmation per process */
  const knownFolders = new Set<string>()

  const ensureFolderExists = async (uid: string, title: string): Promise<void> => {
    const operation = `ensure folder ${uid}`
    const create: Call = { kind: 'folder.create', operation, method: 'post', path: 'api/folders', json: { uid, title } }
    const created = await send(create)
    if (isOk(created)) return void decode(FolderResponse, create, created)
    if (created.status !== 409 && created.status !== 412) throw unexpected(create, created)
    // "exists" in either flavour; but a 409 may also mean another folder has this title.
    const get: Call = { kind: 'folder.get', operation, method: 'get', path: `api/folders/${encodeURIComponent(uid)}` }
    const found = await send(get)
    if (isOk(found)) return void decode(FolderResponse, get, found)
    if (found.status === 404) {
      throw fail('conflict', created.status, operation, `create answered ${created.status} but no folder has this uid (another folder may have the title "${title}")`)
    }
    throw unexpected(get, found)
  }

  return {
    retries: transport.retries,
    settle: transport.settle,
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
      if (!isOk(answer)) throw unexpected(call, answer)
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
      if (!isOk(answer)) throw unexpected(call, answer)
      const { dashboard, meta } = decode(DashboardResponse, call, answer)
      const folderUid = meta.folderUid === undefined || meta.folderUid === '' ? {} : { folderUid: meta.folderUid }
      return { id: dashboard.id, uid: dashboard.uid, url: meta.url, version: dashboard.version, ...folderUid, model: dashboard }
    },
    deleteDashboard: async (uid) => {
      const call: Call = { kind: 'dashboard.delete', operation: `delete dashboard ${uid}`, writes: uid, method: 'delete', path: `api/dashboards/uid/${encodeURIComponent(uid)}` }
      const answer = await send(call)
      if (answer.status === 404) return 'absent'
      if (!isOk(answer)) throw unexpected(call, answer)
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
        if (!isOk(answer)) throw unexpected(call, answer)
        const hits = decode(SearchResponse, call, answer)
        for (const hit of hits.filter((h) => h.type === 'dash-db')) {
          const folder = hit.folderUid === undefined || hit.folderUid === '' ? {} : { folderUid: hit.folderUid }
          found.push({ uid: hit.uid, url: hit.url, title: hit.title, ...folder })
        }
        if (hits.length < pageSize) return found
      }
    },
    health: async () => {
      // A probe must answer fast and say "not now", so no retries and no throwing.
      const call: Call = { kind: 'health', operation: 'health', method: 'get', path: 'api/health' }
      try {
        const answer = await send(call, { maxRetries: 0, queued: false })
        return isOk(answer) && decode(HealthResponse, call, answer).database === 'ok'
      } catch {
        return false
      }
    },
  }
}
