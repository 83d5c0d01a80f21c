/**
 * The legacy adapter of the Grafana port: folders, dashboards and search over Grafana's `/api`
 * (deprecated in Grafana 13, not removed). Each operation is one or two calls through the transport
 * (retries, concurrency limit, redaction: grafana-transport.ts); errors are `GrafanaError`s whose
 * `kind` tells the caller what to do.
 */
import { isRight } from 'fp-ts/lib/Either.js'
import {
  decodeBody,
  GrafanaMessage,
  DashboardResponse,
  DeleteDashboardResponse,
  FolderResponse,
  RestoreDashboardResponse,
  SaveDashboardResponse,
  SearchResponse,
} from '../../codecs/apis/grafana.js'
import { serviceTag } from './dashboard-uids.js'
import { mayHaveLanded } from './grafana-error.js'
import { MAX_LIST_PAGES, type DashboardRef, type FolderFound, type FoundDashboard, type GrafanaAdapter, type OwnDashboard } from './grafana-port.js'
import { isOk, type Answer, type Call, type GrafanaTransport } from './grafana-transport.js'

export interface LegacyOptions {
  /** hits per search page; Grafana's default (and our default) is 1000, its maximum 5000 */
  searchPageSize?: number
  /** upper bound on the pages of one tag search (default MAX_LIST_PAGES): a Grafana that keeps answering full pages cannot hold a step for ever */
  searchMaxPages?: number
}

/**
 * Grafana's own "no such dashboard" (`{"message":"Dashboard not found"}`); any other 404 means the
 * route itself is gone (a Grafana without the legacy API), which must not pass for "absent".
 */
const dashboardAbsent = (answer: Answer): boolean => {
  if (answer.status !== 404) return false
  const body = decodeBody(GrafanaMessage, answer.text)
  return isRight(body) && /dashboard not found/i.test(body.right.message)
}

export const createLegacyDashboards = (transport: GrafanaTransport, opts: LegacyOptions = {}): GrafanaAdapter => {
  const { send, fail, unexpected, decode } = transport
  const pageSize = opts.searchPageSize ?? 1000
  const maxPages = opts.searchMaxPages ?? MAX_LIST_PAGES
  const folderOf = (found: FolderResponse): FolderFound => ({ title: found.title, parentUid: found.parentUid ?? '' })

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

  /** `operation`: what a failure names (the save's, when the save reads first) */
  const getDashboard = async (uid: string, operation = `get dashboard ${uid}`): Promise<FoundDashboard | undefined> => {
    const call: Call = { kind: 'dashboard.get', operation, method: 'get', path: `api/dashboards/uid/${encodeURIComponent(uid)}` }
    const answer = await send(call)
    if (dashboardAbsent(answer)) return undefined
    if (!isOk(answer)) throw unexpected(call, answer)
    const { dashboard, meta } = decode(DashboardResponse, call, answer)
    const folderUid = meta.folderUid === undefined || meta.folderUid === '' ? {} : { folderUid: meta.folderUid }
    return { id: dashboard.id, uid: dashboard.uid, url: meta.url, version: dashboard.version, ...folderUid, model: dashboard }
  }

  /** POST /api/dashboards/db */
  const saveCall = (dashboard: Record<string, unknown>, uid: string, folderUid: string, message: string, overwrite: boolean): Call => ({
    kind: 'dashboard.upsert',
    operation: `upsert dashboard ${uid}`,
    writes: uid,
    method: 'post',
    path: 'api/dashboards/db',
    // id:null makes Grafana match by uid, never by a stale numeric id copied from a GET; without a
    // version, a create-only save of an existing uid can never pass for an up-to-date update
    json: { dashboard: { ...dashboard, id: null, version: undefined }, folderUid, overwrite, message },
  })

  const savedRef = async (call: Call, answer: Answer, uid: string, folderUid: string): Promise<DashboardRef> => {
    if (!isOk(answer)) throw unexpected(call, answer)
    const saved = decode(SaveDashboardResponse, call, answer)
    if (saved.uid !== uid) throw await undoTakeover(call, saved.uid, saved.version)
    const savedFolder = saved.folderUid ?? folderUid
    return { id: saved.id, uid: saved.uid, url: saved.url, version: saved.version, ...(savedFolder === '' ? {} : { folderUid: savedFolder }) }
  }

  return {
    createFolder: async (uid, title, operation) => {
      const create: Call = { kind: 'folder.create', operation, method: 'post', path: 'api/folders', json: { uid, title } }
      const created = await send(create)
      if (isOk(created)) return { saved: folderOf(decode(FolderResponse, create, created)) }
      // "exists" in either flavour (409, or 412 from older Grafana)
      if (created.status === 409 || created.status === 412) return { exists: created.status }
      throw unexpected(create, created)
    },
    readFolder: async (uid, operation) => {
      const get: Call = { kind: 'folder.get', operation, method: 'get', path: `api/folders/${encodeURIComponent(uid)}` }
      const found = await send(get)
      if (isOk(found)) return folderOf(decode(FolderResponse, get, found))
      if (found.status === 404) return undefined
      throw unexpected(get, found)
    },
    upsertDashboard: async (dashboard, folderUid, message, _serviceId, options = {}) => {
      // the serviceId is in the dashboard's tags (dashboards.ts): the legacy API has no labels
      const { uid, title } = dashboard
      if (typeof uid !== 'string' || uid === '' || typeof title !== 'string') {
        throw fail('invalid', undefined, 'upsert dashboard', 'the dashboard must carry a uid and a title')
      }
      const readThenOverwrite = async (): Promise<DashboardRef> => {
        // moved by a person into a folder that is not the service's: theirs to keep where it is
        const found = await getDashboard(uid, `upsert dashboard ${uid}`)
        if (found !== undefined && (found.folderUid ?? '') !== folderUid) {
          const { model: _model, ...ref } = found
          return { ...ref, leftInFolder: found.folderUid ?? 'General' }
        }
        const call = saveCall(dashboard, uid, folderUid, message, true)
        return savedRef(call, await send(call), uid, folderUid)
      }
      if (options.createFirst !== true) return readThenOverwrite()
      // Grafana refuses a create-only save of an existing uid with a 412 (version-mismatch or
      // name-exists, as documented); a 409 (a conflict from a storage behind the API) is read as the same
      const create = saveCall(dashboard, uid, folderUid, message, false)
      const created = await send(create)
      if (created.status !== 412 && created.status !== 409) return savedRef(create, created, uid, folderUid)
      return readThenOverwrite().catch((error: unknown) => {
        throw mayHaveLanded(error)
      })
    },
    getDashboard: (uid) => getDashboard(uid),
    deleteDashboard: async (uid) => {
      const call: Call = {
        kind: 'dashboard.delete',
        operation: `delete dashboard ${uid}`,
        writes: uid,
        method: 'delete',
        path: `api/dashboards/uid/${encodeURIComponent(uid)}`,
      }
      const answer = await send(call)
      if (dashboardAbsent(answer)) return 'absent'
      if (!isOk(answer)) throw unexpected(call, answer)
      decode(DeleteDashboardResponse, call, answer)
      return 'deleted'
    },
    listOwn: async (serviceId) => {
      const tag = serviceTag(serviceId)
      const found: OwnDashboard[] = []
      const seen = new Set<string>()
      // Grafana pages search results; stopping at the first page would silently lose dashboards.
      for (let page = 1; page <= maxPages; page++) {
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
      throw fail('fatal', undefined, `search tag ${tag}`, `more than ${maxPages} pages of ${pageSize} hits: stopped`)
    },
  }
}
