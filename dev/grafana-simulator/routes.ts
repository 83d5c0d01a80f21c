/**
 * The subset of Grafana's legacy `/api` the service uses, mapped to request kinds.
 *
 * The kind names (`dashboard.upsert`, `search`, ...) are the vocabulary shared by fault rules,
 * the simulator's request counters and the client's retry counters, so a test can say "fail the
 * next two dashboard saves" and then read how often each side saw that kind.
 */
import { deleteDashboard, getDashboard, restoreDashboard, saveDashboard, type GrafanaFlavour } from './dashboards.js'
import { getDatasource, type DatasourceSpec } from './datasources.js'
import { createFolder, getFolder, type FolderExistsStatus } from './folders.js'
import { failure, reply, type Reply } from './reply.js'
import { search } from './search.js'
import { apisRoute, type ApisServing } from './apis-routes.js'
import type { GrafanaStore } from './store.js'

export type RequestKind =
  | 'health'
  | 'folder.create'
  | 'folder.get'
  | 'dashboard.upsert'
  | 'dashboard.get'
  | 'dashboard.delete'
  | 'dashboard.restore'
  | 'search'
  | 'datasource.get'
  | 'discovery'
  | 'unknown'

export interface RouteContext {
  readonly store: GrafanaStore
  readonly body: unknown
  readonly query: URLSearchParams
  readonly folderExistsStatus: FolderExistsStatus
  readonly flavour?: GrafanaFlavour
  readonly datasources: readonly DatasourceSpec[]
}

export interface Route {
  readonly kind: RequestKind
  /** health is the only route Grafana answers without credentials */
  readonly needsAuth: boolean
  /** an `/apis` route: errors (faults, 401) are Kubernetes `Status` bodies */
  readonly apis?: boolean
  readonly handle: (context: RouteContext) => Reply
}

const withUid =
  (raw: string, handle: (context: RouteContext, uid: string) => Reply) =>
  (context: RouteContext): Reply => {
    let uid: string
    try {
      uid = decodeURIComponent(raw)
    } catch {
      return failure(400, 'bad request data')
    }
    return handle(context, uid)
  }

/** what a Grafana without the legacy dashboard API would keep: health, datasources (and the proxy) */
const SWITCHABLE: ReadonlySet<RequestKind> = new Set([
  'folder.create',
  'folder.get',
  'dashboard.upsert',
  'dashboard.get',
  'dashboard.delete',
  'dashboard.restore',
  'search',
])

export interface Serving extends ApisServing {
  /** false: the legacy dashboard, folder and search routes answer 404, as a future Grafana may */
  readonly legacyRoutes: boolean
}

export const route = (method: string, pathname: string, serving: Serving = { versions: false, namespace: 'default', legacyRoutes: true }): Route => {
  const path = pathname.replace(/\/+$/, '')
  const apis = apisRoute(method, path, serving)
  if (apis !== undefined) return apis
  const legacy = legacyRoute(method, path)
  return serving.legacyRoutes || !SWITCHABLE.has(legacy.kind) ? legacy : { kind: 'unknown', needsAuth: false, handle: () => failure(404, 'Not found') }
}

const legacyRoute = (method: string, path: string): Route => {
  const folder = /^\/api\/folders\/([^/]+)$/.exec(path)
  const dashboard = /^\/api\/dashboards\/uid\/([^/]+)$/.exec(path)
  const restore = /^\/api\/dashboards\/uid\/([^/]+)\/restore$/.exec(path)
  if (method === 'GET' && path === '/api/health') {
    return { kind: 'health', needsAuth: false, handle: () => reply(200, { database: 'ok', version: '11.x-sim' }) }
  }
  if (method === 'POST' && path === '/api/folders') {
    return { kind: 'folder.create', needsAuth: true, handle: (c) => createFolder(c.store, c.body, c.folderExistsStatus) }
  }
  if (method === 'GET' && folder?.[1] !== undefined) {
    return { kind: 'folder.get', needsAuth: true, handle: withUid(folder[1], (c, uid) => getFolder(c.store, uid)) }
  }
  if (method === 'POST' && path === '/api/dashboards/db') {
    return { kind: 'dashboard.upsert', needsAuth: true, handle: (c) => saveDashboard(c.store, c.body, c.flavour) }
  }
  if (method === 'GET' && dashboard?.[1] !== undefined) {
    return { kind: 'dashboard.get', needsAuth: true, handle: withUid(dashboard[1], (c, uid) => getDashboard(c.store, uid)) }
  }
  if (method === 'DELETE' && dashboard?.[1] !== undefined) {
    return { kind: 'dashboard.delete', needsAuth: true, handle: withUid(dashboard[1], (c, uid) => deleteDashboard(c.store, uid)) }
  }
  if (method === 'POST' && restore?.[1] !== undefined) {
    return { kind: 'dashboard.restore', needsAuth: true, handle: withUid(restore[1], (c, uid) => restoreDashboard(c.store, uid, c.body, c.flavour)) }
  }
  const datasource = /^\/api\/datasources\/uid\/([^/]+)$/.exec(path)
  if (method === 'GET' && datasource?.[1] !== undefined) {
    return { kind: 'datasource.get', needsAuth: true, handle: withUid(datasource[1], (c, uid) => getDatasource(c.datasources, uid)) }
  }
  if (method === 'GET' && path === '/api/search') {
    return { kind: 'search', needsAuth: true, handle: (c) => search(c.store, c.query) }
  }
  return { kind: 'unknown', needsAuth: false, handle: () => failure(404, 'Not found') }
}
