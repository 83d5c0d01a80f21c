/**
 * Dashboards as `/apis` resources on the same store as the legacy routes (a dashboard saved through
 * one API is seen through the other): `metadata.name` is the uid, the folder is the
 * `grafana.app/folder` annotation, `spec` is the classic dashboard JSON, `metadata.generation` the
 * dashboard version, the legacy numeric id the `grafana.app/deprecatedInternalID` label.
 *
 * The rules a client meets: create is POST to the collection (409 AlreadyExists on a taken name,
 * 400 when a `resourceVersion` is sent); update is PUT with the `resourceVersion` read (409 Conflict
 * when stale); delete answers a `Status`; lists filter by `labelSelector` and page with
 * `limit`/`continue`.
 */
import { parseLabelSelector } from '../kube-simulator/label-selector.js'
import { FOLDER_ANNOTATION, INTERNAL_ID_LABEL, apiObject } from './apis-object.js'
import { alreadyExists, badRequest, conflict, notFound, success, type ApiResource } from './apis-status.js'
import { isRecord, reply, type Reply } from './reply.js'
import { dashboardUrl, slugify, uidProblem, type DashboardRecord, type GrafanaStore } from './store.js'

/** annotations Grafana sets itself; what a client sends under these names is not kept */
const SERVER_ANNOTATIONS = ['grafana.app/createdBy', 'grafana.app/updatedBy', 'grafana.app/updatedTimestamp']

export const DASHBOARDS: ApiResource = { group: 'dashboard.grafana.app', plural: 'dashboards' }

const stringMap = (value: unknown): Record<string, string> =>
  isRecord(value) ? Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === 'string')) : {}

export const dashboardResource = (d: DashboardRecord, version: string, namespace: string): Record<string, unknown> => {
  const { id: _id, version: _version, ...spec } = d.model
  return apiObject(DASHBOARDS, 'Dashboard', d, version, namespace, {
    ...(d.labels === undefined ? {} : { labels: d.labels }),
    annotations: {
      ...d.annotations,
      ...(d.folderUid === undefined ? {} : { [FOLDER_ANNOTATION]: d.folderUid }),
      'grafana.app/updatedBy': 'user:admin',
      'grafana.app/updatedTimestamp': d.updated,
    },
    spec: { ...spec, uid: d.uid },
  })
}

interface Posted {
  readonly name: string
  readonly resourceVersion: string | undefined
  readonly labels: Record<string, string>
  readonly annotations: Record<string, string>
  readonly spec: Record<string, unknown>
}

const posted = (body: unknown): Posted | Reply => {
  if (!isRecord(body) || !isRecord(body.metadata) || !isRecord(body.spec)) return badRequest('the body must be a Dashboard object with metadata and spec')
  const name = typeof body.metadata.name === 'string' ? body.metadata.name : ''
  const rv = body.metadata.resourceVersion
  return {
    name,
    resourceVersion: typeof rv === 'string' && rv !== '' ? rv : undefined,
    labels: stringMap(body.metadata.labels),
    annotations: stringMap(body.metadata.annotations),
    spec: body.spec,
  }
}

/** the checks a write passes (name, title, folder); the record to store */
const record = (store: GrafanaStore, p: Posted, existing: DashboardRecord | undefined): DashboardRecord | Reply => {
  const problem = uidProblem(p.name)
  if (p.name === '' || problem !== undefined) return badRequest(`metadata.name: ${problem ?? 'required'}`)
  const title = typeof p.spec.title === 'string' ? p.spec.title.trim() : ''
  if (title === '') return badRequest('Dashboard title cannot be empty')
  const { [FOLDER_ANNOTATION]: folder, ...annotations } = p.annotations
  const folderUid = folder === undefined || folder === '' ? undefined : folder
  if (folderUid !== undefined && !store.folders.has(folderUid)) return badRequest(`folder not found: ${folderUid}`)
  for (const key of SERVER_ANNOTATIONS) delete annotations[key]
  const { [INTERNAL_ID_LABEL]: _id, ...labels } = p.labels
  const id = existing?.id ?? store.nextId()
  const version = (existing?.version ?? 0) + 1
  const now = new Date().toISOString()
  return {
    uid: p.name,
    id,
    title,
    folderUid,
    tags: Array.isArray(p.spec.tags) ? p.spec.tags.filter((t): t is string => typeof t === 'string') : [],
    version,
    slug: slugify(title),
    url: dashboardUrl(p.name, title),
    model: { ...p.spec, id, uid: p.name, title, version },
    created: existing?.created ?? now,
    updated: now,
    labels,
    annotations,
    resourceVersion: store.nextResourceVersion(),
  }
}

const keep = (store: GrafanaStore, d: DashboardRecord): void => {
  store.dashboards.set(d.uid, d)
  store.versions.set(d.uid, [...(store.versions.get(d.uid) ?? []), d])
}

export const createDashboardResource = (store: GrafanaStore, body: unknown, version: string, namespace: string): Reply => {
  const p = posted(body)
  if (!('name' in p)) return p
  if (p.resourceVersion !== undefined) return badRequest('resourceVersion should not be set on objects to be created')
  if (store.dashboards.has(p.name)) return alreadyExists(DASHBOARDS, p.name)
  const d = record(store, p, undefined)
  if (!('uid' in d)) return d
  keep(store, d)
  return reply(201, dashboardResource(d, version, namespace))
}

export const updateDashboardResource = (store: GrafanaStore, name: string, body: unknown, version: string, namespace: string): Reply => {
  const p = posted(body)
  if (!('name' in p)) return p
  if (p.name !== name) return badRequest(`the name of the object (${p.name}) does not match the name on the URL (${name})`)
  const existing = store.dashboards.get(name)
  if (existing === undefined) return notFound(DASHBOARDS, name)
  if (p.resourceVersion !== undefined && p.resourceVersion !== existing.resourceVersion) return conflict(DASHBOARDS, name)
  const d = record(store, p, existing)
  if (!('uid' in d)) return d
  keep(store, d)
  return reply(200, dashboardResource(d, version, namespace))
}

export const getDashboardResource = (store: GrafanaStore, name: string, version: string, namespace: string): Reply => {
  const d = store.dashboards.get(name)
  return d === undefined ? notFound(DASHBOARDS, name) : reply(200, dashboardResource(d, version, namespace))
}

export const deleteDashboardResource = (store: GrafanaStore, name: string): Reply => {
  const d = store.dashboards.get(name)
  if (d === undefined) return notFound(DASHBOARDS, name)
  store.dashboards.delete(name)
  store.versions.delete(name)
  return success(DASHBOARDS, name, `sim-${d.id}`)
}

const token = (name: string): string => Buffer.from(JSON.stringify({ after: name })).toString('base64url')

const after = (raw: string): string | undefined => {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'))
    return isRecord(parsed) && typeof parsed.after === 'string' ? parsed.after : undefined
  } catch {
    return undefined
  }
}

export const listDashboardResources = (store: GrafanaStore, query: URLSearchParams, version: string, namespace: string): Reply => {
  const parsed = parseLabelSelector(query.get('labelSelector') ?? '')
  if (!parsed.ok) return badRequest(`unable to parse requirement: ${parsed.bad}`)
  const limitRaw = query.get('limit')
  const limit = limitRaw === null ? Number.POSITIVE_INFINITY : Number.parseInt(limitRaw, 10)
  if (!(limit > 0)) return badRequest(`invalid limit: ${limitRaw ?? ''}`)
  const continueRaw = query.get('continue')
  const start = continueRaw === null || continueRaw === '' ? '' : after(continueRaw)
  if (start === undefined) return badRequest('continue key is not valid')
  const matching = [...store.dashboards.values()]
    .filter((d) => parsed.selector({ ...d.labels, [INTERNAL_ID_LABEL]: String(d.id) }))
    .sort((a, b) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0))
    .filter((d) => d.uid > start)
  const page = matching.slice(0, limit)
  const last = page.at(-1)
  const more = matching.length > page.length && last !== undefined
  return reply(200, {
    kind: 'DashboardList',
    apiVersion: `${DASHBOARDS.group}/${version}`,
    metadata: {
      resourceVersion: String(Math.max(0, ...[...store.dashboards.values()].map((d) => Number(d.resourceVersion ?? '0')))),
      ...(more ? { continue: token(last.uid) } : {}),
    },
    items: page.map((d) => dashboardResource(d, version, namespace)),
  })
}
