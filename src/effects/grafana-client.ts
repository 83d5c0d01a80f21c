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
  RestoreDashboardResponse,
  SaveDashboardResponse,
  SearchResponse,
} from '../codecs/grafana.js'
import { createGrafanaTransport, isOk, type Call, type TransportOptions } from './grafana-transport.js'

export type { RetryOptions } from './retry-policy.js'
export type { GrafanaAuth } from './grafana-transport.js'
export { GrafanaError, type GrafanaErrorKind } from './grafana-error.js'

export interface DashboardRef { id: number; uid: string; url: string; version: number; folderUid?: string }

export interface GrafanaClient {
  /**
   * create if missing; 409/412 => "exists": confirm with GET; idempotent; remembered once confirmed.
   * A folder found under the uid with another title or a parent is someone else's: never adopted,
   * the call fails with a `conflict` naming what was found.
   */
  ensureFolder(uid: string, title: string): Promise<void>
  /** the folder turned out to be missing (deleted by hand): the next ensureFolder checks again */
  forgetFolder(uid: string): void
  /**
   * POST /api/dashboards/db with overwrite:true and a fixed uid (so retrying a POST is safe). When
   * Grafana answers another uid (before 11.3 a same-titled dashboard in the folder is taken over),
   * that dashboard is restored to the version before ours and the call fails with a `conflict`.
   */
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
  /** upper bound on the pages of one tag search (default 100): a Grafana that keeps answering full pages cannot hold a step for ever */
  searchMaxPages?: number
}

export const createGrafanaClient = (opts: GrafanaClientOptions): GrafanaClient => {
  const transport = createGrafanaTransport(opts)
  const { send, fail, unexpected, decode } = transport
  const pageSize = opts.searchPageSize ?? 1000
  const maxPages = opts.searchMaxPages ?? 100
  /** folders confirmed to exist: they are never deleted by us, so one confirmation per process */
  const knownFolders = new Set<string>()

  const ours = (operation: string, title: string, found: FolderResponse): void => {
    const parent = found.parentUid ?? ''
    if (found.title === title && parent === '') return
    const where = parent === '' ? 'at the root' : `under parent folder ${parent}`
    throw fail('conflict', undefined, operation, `a folder "${found.title}" ${where} already has this uid; expected "${title}" at the root: not adopting someone else's folder (rename or move it, or remove it)`)
  }

  const ensureFolderExists = async (uid: string, title: string): Promise<void> => {
    const operation = `ensure folder ${uid}`
    const create: Call = { kind: 'folder.create', operation, method: 'post', path: 'api/folders', json: { uid, title } }
    const created = await send(create)
    if (isOk(created)) return ours(operation, title, decode(FolderResponse, create, created))
    if (created.status !== 409 && created.status !== 412) throw unexpected(create, created)
    // "exists" in either flavour; but a 409 may also mean another folder has this title.
    const get: Call = { kind: 'folder.get', operation, method: 'get', path: `api/folders/${encodeURIComponent(uid)}` }
    const found = await send(get)
    if (isOk(found)) return ours(operation, title, decode(FolderResponse, get, found))
    if (found.status === 404) {
      throw fail('conflict', created.status, operation, `create answered ${created.status} but no folder has this uid (another folder may have the title "${title}")`)
    }
    throw unexpected(get, found)
  }

  /**
   * Grafana before 11.3 keeps titles unique per folder and lets `overwrite` land on the same-titled
   * dashboard: ours replaced `hit`'s model. Restoring the version before ours gives `hit` back its
   * content (its history keeps both); the error says what happened either way.
   */
  const undoTakeover = async (call: Call, hit: string, version: number): Promise<Error> => {
    const what = `Grafana saved it onto another dashboard, ${hit} (same title in the folder)`
    const restore: Call = {
      kind: 'dashboard.restore',
      operation: `restore dashboard ${hit}`,
      writes: hit,
      method: 'post',
      path: `api/dashboards/uid/${encodeURIComponent(hit)}/restore`,
      json: { version: version - 1 },
    }
    try {
      const answer = await send(restore)
      if (!isOk(answer)) throw unexpected(restore, answer)
      decode(RestoreDashboardResponse, restore, answer)
      return fail('conflict', 200, call.operation, `${what}: refused, and ${hit} restored to its version ${version - 1}`)
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error)
      return fail('conflict', 200, call.operation, `${what}: refused, but restoring ${hit} to its version ${version - 1} failed (${why}); restore it by hand`)
    }
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
      if (saved.uid !== uid) throw await undoTakeover(call, saved.uid, saved.version)
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
      const seen = new Set<string>()
      for (let page = 1; ; page++) {
        if (page > maxPages) throw fail('fatal', undefined, `search tag ${tag}`, `more than ${maxPages} pages of ${pageSize} hits; refusing to read on`)
        const searchParams = new URLSearchParams({ tag, type: 'dash-db', limit: String(pageSize), page: String(page) })
        const call: Call = { kind: 'search', operation: `search tag ${tag}`, method: 'get', path: 'api/search', searchParams }
        const answer = await send(call)
        if (!isOk(answer)) throw unexpected(call, answer)
        const hits = decode(SearchResponse, call, answer)
        // a Grafana that ignores `page` answers the same hits again: stop instead of looping
        if (hits.length > 0 && hits.every((hit) => seen.has(hit.uid))) return found
        for (const hit of hits.filter((h) => h.type === 'dash-db' && !seen.has(h.uid))) {
          seen.add(hit.uid)
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
