/**
 * The `/apis` routes the service uses, mapped to the same request kinds as the legacy routes
 * (`dashboard.upsert` is POST and PUT, `search` is the list), so one fault rule breaks a kind of
 * work whichever API the client speaks. Paths: `/apis/<group>/<version>/namespaces/<ns>/<plural>[/<name>]`.
 */
import { apiGroup, apiGroupList, type ApisVersions } from './apis-discovery.js'
import { createDashboardResource, deleteDashboardResource, getDashboardResource, listDashboardResources, updateDashboardResource } from './apis-dashboards.js'
import { createFolderResource, getFolderResource } from './apis-folders.js'
import { badRequest, unknownPath } from './apis-status.js'
import type { Route } from './routes.js'

export interface ApisServing {
  /** false: a Grafana before 12, `/apis` answers 404 */
  readonly versions: ApisVersions | false
  /** the namespace the store is (org 1 = `default`) */
  readonly namespace: string
}

const RESOURCE_PATH = /^\/apis\/(dashboard\.grafana\.app|folder\.grafana\.app)\/([^/]+)\/namespaces\/([^/]+)\/(dashboards|folders)(?:\/([^/]+))?$/

const decoded = (raw: string): string | undefined => {
  try {
    return decodeURIComponent(raw)
  } catch {
    return undefined
  }
}

export const apisRoute = (method: string, path: string, serving: ApisServing): Route | undefined => {
  if (!path.startsWith('/apis')) return undefined
  const gone: Route = { kind: 'unknown', needsAuth: false, apis: true, handle: unknownPath }
  const { versions } = serving
  if (versions === false) return gone
  if (method === 'GET' && path === '/apis') return { kind: 'discovery', needsAuth: true, apis: true, handle: () => apiGroupList(versions) }
  const group = /^\/apis\/([^/]+)$/.exec(path)
  if (method === 'GET' && group?.[1] !== undefined) {
    const name = group[1]
    return { kind: 'discovery', needsAuth: true, apis: true, handle: () => apiGroup(versions, name) }
  }
  const m = RESOURCE_PATH.exec(path)
  if (m === null) return gone
  const [, groupName = '', version = '', namespace = '', plural = '', rawName] = m
  const isDashboards = groupName === 'dashboard.grafana.app' && plural === 'dashboards'
  const isFolders = groupName === 'folder.grafana.app' && plural === 'folders'
  const served = isDashboards ? versions.dashboard : isFolders ? versions.folder : []
  if (!served.includes(version) || namespace !== serving.namespace) return gone
  const name = rawName === undefined ? undefined : decoded(rawName)
  if (rawName !== undefined && name === undefined) return { kind: 'unknown', needsAuth: true, apis: true, handle: () => badRequest('bad name') }
  const route = (kind: Route['kind'], handle: Route['handle']): Route => ({ kind, needsAuth: true, apis: true, handle })
  if (isDashboards) {
    if (name === undefined && method === 'POST') return route('dashboard.upsert', (c) => createDashboardResource(c.store, c.body, version, namespace))
    if (name === undefined && method === 'GET') return route('search', (c) => listDashboardResources(c.store, c.query, version, namespace))
    if (name !== undefined && method === 'GET') return route('dashboard.get', (c) => getDashboardResource(c.store, name, version, namespace))
    if (name !== undefined && method === 'PUT') return route('dashboard.upsert', (c) => updateDashboardResource(c.store, name, c.body, version, namespace))
    if (name !== undefined && method === 'DELETE') return route('dashboard.delete', (c) => deleteDashboardResource(c.store, name))
  }
  if (isFolders) {
    if (name === undefined && method === 'POST') return route('folder.create', (c) => createFolderResource(c.store, c.body, version, namespace))
    if (name !== undefined && method === 'GET') return route('folder.get', (c) => getFolderResource(c.store, name, version, namespace))
  }
  return gone
}
