/**
 * The `/apis` adapter of the Grafana port (Grafana 12+): dashboards as
 * `dashboard.grafana.app/<version>` resources (`spec` = the classic dashboard JSON, `metadata.name`
 * = the uid, the folder in the `grafana.app/folder` annotation) and folders as
 * `folder.grafana.app/<version>` resources, in one namespace (`default` = org 1).
 *
 * Writes are conditional: an update sends the `resourceVersion` it read, and a 409 (stale, or a
 * create that met an existing name) is answered by reading again. A 404 that does not name the
 * object asked for is a missing route (a version Grafana no longer serves): it surfaces as a
 * `not-found` error so the client asks discovery again.
 */
import { isRight } from 'fp-ts/lib/Either.js'
import { decodeBody } from '../../codecs/apis/grafana.js'
import { DashboardList, DashboardResource, FolderResource, KubeStatus, type ObjectMeta } from '../../codecs/apis/grafana-apis.js'
import { SERVICE_ID_ANNOTATION, markedAs, ownershipLabels, ownershipSelector } from './dashboard-uids.js'
import { dashboardPath } from './dashboard-url.js'
import { mayHaveLanded } from './grafana-error.js'
import { MAX_LIST_PAGES, type DashboardRef, type FoundDashboard, type FolderFound, type GrafanaAdapter, type OwnDashboard } from './grafana-port.js'
import { isOk, type Answer, type Call, type GrafanaTransport } from './grafana-transport.js'

export const FOLDER_ANNOTATION = 'grafana.app/folder'
export const MESSAGE_ANNOTATION = 'grafana.app/message'
export const INTERNAL_ID_LABEL = 'grafana.app/deprecatedInternalID'

export interface ApisOptions {
  readonly baseUrl: string
  readonly dashboardVersion: string
  readonly folderVersion: string
  readonly namespace: string
  /** items per list page (default 100) */
  readonly pageSize?: number
  /** reads and writes of one save before a run of 409s is given up as retryable (default 5) */
  readonly maxConflicts?: number
}

/** One dashboard save: what is written, where, and for whom. */
interface Save {
  readonly model: Record<string, unknown>
  readonly uid: string
  readonly folderUid: string
  readonly message: string
  readonly serviceId: string
}

/** A 404 whose Status names the object: the object is absent (any other 404 is a missing route). */
const absent = (answer: Answer, name: string): boolean => {
  if (answer.status !== 404) return false
  const status = decodeBody(KubeStatus, answer.text)
  return isRight(status) && status.right.reason === 'NotFound' && status.right.details?.name === name
}

const withoutServerFields = (model: Record<string, unknown>): Record<string, unknown> => {
  const { id: _id, version: _version, ...spec } = model
  return spec
}

export const createApisDashboards = (transport: GrafanaTransport, opts: ApisOptions): GrafanaAdapter => {
  const { send, fail, unexpected, decode } = transport
  const ns = encodeURIComponent(opts.namespace)
  const pageSize = opts.pageSize ?? 100
  const maxConflicts = opts.maxConflicts ?? 5
  const dashboardApi = `dashboard.grafana.app/${opts.dashboardVersion}`
  const folderApi = `folder.grafana.app/${opts.folderVersion}`
  const dashboards = (uid?: string): string => `apis/${dashboardApi}/namespaces/${ns}/dashboards${uid === undefined ? '' : `/${encodeURIComponent(uid)}`}`
  const folders = (uid?: string): string => `apis/${folderApi}/namespaces/${ns}/folders${uid === undefined ? '' : `/${encodeURIComponent(uid)}`}`

  const refOf = (resource: DashboardResource): FoundDashboard => {
    const { metadata, spec } = resource
    const title = typeof spec['title'] === 'string' ? spec['title'] : metadata.name
    const folder = metadata.annotations?.[FOLDER_ANNOTATION] ?? ''
    const id = Number(metadata.labels?.[INTERNAL_ID_LABEL])
    return {
      ...(Number.isSafeInteger(id) && id > 0 ? { id } : {}),
      uid: metadata.name,
      url: dashboardPath(opts.baseUrl, metadata.name, title),
      version: metadata.generation ?? 0,
      ...(folder === '' ? {} : { folderUid: folder }),
      model: { ...spec, uid: metadata.name },
    }
  }

  const folderOf = (found: FolderResource): FolderFound => ({ title: found.spec.title, parentUid: found.metadata.annotations?.[FOLDER_ANNOTATION] ?? '' })

  const read = async (uid: string, operation: string): Promise<DashboardResource | undefined> => {
    const call: Call = { kind: 'dashboard.get', operation, method: 'get', path: dashboards(uid) }
    const answer = await send(call)
    if (absent(answer, uid)) return undefined
    if (!isOk(answer)) throw unexpected(call, answer)
    return decode(DashboardResource, call, answer)
  }

  const resourceOf = (model: Record<string, unknown>, uid: string, folderUid: string, message: string, serviceId: string, current?: ObjectMeta): unknown => ({
    apiVersion: dashboardApi,
    kind: 'Dashboard',
    metadata: {
      name: uid,
      ...(current?.resourceVersion === undefined ? {} : { resourceVersion: current.resourceVersion }),
      labels: { ...current?.labels, ...ownershipLabels(serviceId) },
      annotations: { ...current?.annotations, [FOLDER_ANNOTATION]: folderUid, [SERVICE_ID_ANNOTATION]: serviceId, [MESSAGE_ANNOTATION]: message },
    },
    spec: withoutServerFields(model),
  })

  /** POST (nothing read) or PUT with what was read; undefined when a 409 or a 404 naming it says to read again */
  const write = async (save: Save, current: ObjectMeta | undefined): Promise<DashboardRef | undefined> => {
    const { uid, folderUid } = save
    const operation = `upsert dashboard ${uid}`
    const json = resourceOf(save.model, uid, folderUid, save.message, save.serviceId, current)
    const call: Call =
      current === undefined
        ? { kind: 'dashboard.upsert', operation, writes: uid, method: 'post', path: dashboards(), json }
        : { kind: 'dashboard.upsert', operation, writes: uid, method: 'put', path: dashboards(uid), json }
    const answer = await send(call)
    // 409: stale, or created in between; a 404 naming it: deleted in between. Either way, read again.
    if (answer.status === 409 || absent(answer, uid)) return undefined
    if (!isOk(answer)) throw unexpected(call, answer)
    const saved = refOf(decode(DashboardResource, call, answer))
    return { ...(saved.id === undefined ? {} : { id: saved.id }), uid: saved.uid, url: saved.url, version: saved.version, folderUid }
  }

  /** one read-then-write round; undefined when a 409 says to read again */
  const saveOnce = async (save: Save): Promise<DashboardRef | undefined> => {
    const current = await read(save.uid, `upsert dashboard ${save.uid}`)
    if (current !== undefined) {
      const found = refOf(current)
      const where = found.folderUid ?? ''
      // moved by a person into a folder that is not the service's: theirs to keep where it is
      if (where !== save.folderUid) return { ...found, leftInFolder: where === '' ? 'General' : where }
    }
    return write(save, current?.metadata)
  }

  return {
    createFolder: async (uid, title, operation) => {
      const create: Call = {
        kind: 'folder.create',
        operation,
        method: 'post',
        path: folders(),
        json: { apiVersion: folderApi, kind: 'Folder', metadata: { name: uid }, spec: { title } },
      }
      const created = await send(create)
      if (isOk(created)) return { saved: folderOf(decode(FolderResource, create, created)) }
      if (created.status === 409) return { exists: created.status }
      throw unexpected(create, created)
    },
    readFolder: async (uid, operation) => {
      const get: Call = { kind: 'folder.get', operation, method: 'get', path: folders(uid) }
      const found = await send(get)
      if (isOk(found)) return folderOf(decode(FolderResource, get, found))
      if (absent(found, uid)) return undefined
      throw unexpected(get, found)
    },
    upsertDashboard: async (dashboard, folderUid, message, serviceId, options = {}) => {
      const { uid } = dashboard
      if (typeof uid !== 'string' || uid === '' || typeof dashboard['title'] !== 'string') {
        throw fail('invalid', undefined, 'upsert dashboard', 'the dashboard must carry a uid and a title')
      }
      const save: Save = { model: dashboard, uid, folderUid, message, serviceId }
      const readThenWrite = async (): Promise<DashboardRef> => {
        for (let round = 0; round < maxConflicts; round++) {
          const saved = await saveOnce(save)
          if (saved !== undefined) return saved
        }
        throw fail('retryable', 409, `upsert dashboard ${uid}`, `${maxConflicts} conflicts in a row (someone else keeps writing it)`)
      }
      if (options.createFirst !== true) return readThenWrite()
      // a create that meets an existing name is a 409 AlreadyExists: then read and write as above
      const created = await write(save, undefined)
      if (created !== undefined) return created
      return readThenWrite().catch((error: unknown) => {
        throw mayHaveLanded(error)
      })
    },
    getDashboard: async (uid) => {
      const found = await read(uid, `get dashboard ${uid}`)
      return found === undefined ? undefined : refOf(found)
    },
    deleteDashboard: async (uid) => {
      const call: Call = { kind: 'dashboard.delete', operation: `delete dashboard ${uid}`, writes: uid, method: 'delete', path: dashboards(uid) }
      const answer = await send(call)
      if (absent(answer, uid)) return 'absent'
      if (!isOk(answer)) throw unexpected(call, answer)
      return 'deleted'
    },
    listOwn: async (serviceId) => {
      const operation = `list dashboards of ${serviceId}`
      const found: OwnDashboard[] = []
      const seen = new Set<string>()
      let token = ''
      for (let page = 0; page < MAX_LIST_PAGES; page++) {
        const searchParams = new URLSearchParams({
          labelSelector: ownershipSelector(serviceId),
          limit: String(pageSize),
          ...(token === '' ? {} : { continue: token }),
        })
        const call: Call = { kind: 'search', operation, method: 'get', path: dashboards(), searchParams }
        const answer = await send(call)
        if (!isOk(answer)) throw unexpected(call, answer)
        const list = decode(DashboardList, call, answer)
        for (const item of list.items.filter((i) => markedAs(serviceId, i.metadata.labels, i.metadata.annotations))) {
          const ref = refOf(item)
          found.push({
            uid: ref.uid,
            url: ref.url,
            title: typeof ref.model['title'] === 'string' ? ref.model['title'] : ref.uid,
            ...(ref.folderUid === undefined ? {} : { folderUid: ref.folderUid }),
          })
        }
        token = list.metadata?.continue ?? ''
        if (token === '') return found
        // a server that hands out the same token again would page for ever
        if (seen.has(token)) throw fail('fatal', answer.status, operation, 'the list repeated a continue token: stopped')
        seen.add(token)
      }
      throw fail('fatal', undefined, operation, `more than ${MAX_LIST_PAGES} pages of ${pageSize}: stopped`)
    },
  }
}
