/**
 * `POST /api/dashboards/db`, `GET|DELETE /api/dashboards/uid/:uid` as Grafana answers them.
 *
 * The save rules that matter to a client:
 * - `overwrite: true` replaces whatever has the uid, bumps `version` and keeps `id`, which is what
 *   makes a retried POST with a fixed uid safe;
 * - `overwrite: false` refuses an existing uid (412 name-exists), or a stale `version` when the
 *   posted model carries one (412 version-mismatch);
 * - title uniqueness depends on the flavour. Grafana before 11.3 on MySQL keeps titles unique per
 *   folder, compared case-insensitively (MySQL's default collation): a second dashboard with the
 *   same title is refused (412 name-exists) without overwrite, and *with* overwrite Grafana takes
 *   the other dashboard over (its uid and id win, the answer names its uid). Grafana 11.3+ dropped
 *   the constraint: titles are free, a save lands on the uid it names. 11.3+ is the default.
 * - every saved version is kept, and `POST /api/dashboards/uid/:uid/restore {version}` saves an
 *   old version again as the newest one (how a client undoes a takeover).
 */
import { failure, isRecord, reply, stringField, type Reply } from './reply.js'
import { dashboardUrl, folderUrl, slugify, uidProblem, type DashboardRecord, type GrafanaStore } from './store.js'

/** Which Grafana the simulator plays (see the title rule above). */
export type GrafanaFlavour = '11.3+' | 'pre-11.3-mysql'

/** `folderUid` absent, '' or 'general' all mean the root ("General") folder. */
const rootFolder = (folderUid: string | undefined): boolean => folderUid === undefined || folderUid === '' || folderUid === 'general'

const sameTitle = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase()

export const saveDashboard = (store: GrafanaStore, body: unknown, flavour: GrafanaFlavour = '11.3+'): Reply => {
  if (!isRecord(body) || !isRecord(body.dashboard)) return failure(400, 'bad request data')
  const posted = body.dashboard
  const overwrite = body.overwrite === true
  const title = (stringField(posted, 'title') ?? '').trim()
  if (title === '') return failure(400, 'Dashboard title cannot be empty', 'empty-name')
  const postedUid = stringField(posted, 'uid') ?? ''
  const problem = uidProblem(postedUid)
  if (problem !== undefined) return failure(400, problem, 'bad-request')
  const rawFolder = stringField(body, 'folderUid')
  const folderUid = rootFolder(rawFolder) ? undefined : rawFolder
  if (folderUid !== undefined && !store.folders.has(folderUid)) return failure(400, 'Folder not found', 'not-found')

  let existing: DashboardRecord | undefined = postedUid === '' ? undefined : store.dashboards.get(postedUid)
  const postedId = typeof posted.id === 'number' && posted.id > 0 ? posted.id : undefined
  if (existing === undefined && postedId !== undefined) {
    existing = [...store.dashboards.values()].find((d) => d.id === postedId)
    if (existing === undefined) return failure(404, 'Dashboard not found', 'not-found')
  }
  if (existing !== undefined && !overwrite) {
    if (typeof posted.version !== 'number') return failure(412, 'A dashboard with the same uid already exists', 'name-exists')
    if (posted.version !== existing.version) {
      return failure(412, 'The dashboard has been changed by someone else', 'version-mismatch')
    }
  }
  const ownUid = existing?.uid ?? postedUid
  const clash =
    flavour === '11.3+' ? undefined : [...store.dashboards.values()].find((d) => d.uid !== ownUid && d.folderUid === folderUid && sameTitle(d.title, title))
  if (clash !== undefined) {
    if (!overwrite) return failure(412, 'A dashboard with the same name in the folder already exists', 'name-exists')
    existing = clash
  }

  const uid = existing?.uid ?? (postedUid === '' ? store.newUid() : postedUid)
  const id = existing?.id ?? store.nextId()
  const version = (existing?.version ?? 0) + 1
  const now = new Date().toISOString()
  const tags = Array.isArray(posted.tags) ? posted.tags.filter((tag): tag is string => typeof tag === 'string') : []
  const record: DashboardRecord = {
    uid,
    id,
    title,
    folderUid,
    tags,
    version,
    slug: slugify(title),
    url: dashboardUrl(uid, title),
    model: { ...posted, id, uid, title, version },
    created: existing?.created ?? now,
    updated: now,
    // one store behind both APIs: an `/apis` reader sees this write as a new resourceVersion
    ...(existing?.labels === undefined ? {} : { labels: existing.labels }),
    ...(existing?.annotations === undefined ? {} : { annotations: existing.annotations }),
    resourceVersion: store.nextResourceVersion(),
  }
  store.dashboards.set(uid, record)
  store.versions.set(uid, [...(store.versions.get(uid) ?? []), record])
  const answer = { id, uid, url: record.url, status: 'success', version, slug: record.slug }
  return reply(200, folderUid === undefined ? answer : { ...answer, folderUid })
}

export const getDashboard = (store: GrafanaStore, uid: string): Reply => {
  const dashboard = store.dashboards.get(uid)
  if (dashboard === undefined) return failure(404, 'Dashboard not found')
  const folder = dashboard.folderUid === undefined ? undefined : store.folders.get(dashboard.folderUid)
  return reply(200, {
    dashboard: { ...dashboard.model, id: dashboard.id, uid: dashboard.uid, version: dashboard.version },
    meta: {
      type: 'db',
      canSave: true,
      canEdit: true,
      canAdmin: true,
      canStar: true,
      canDelete: true,
      slug: dashboard.slug,
      url: dashboard.url,
      expires: '0001-01-01T00:00:00Z',
      created: dashboard.created,
      updated: dashboard.updated,
      updatedBy: 'admin',
      createdBy: 'admin',
      version: dashboard.version,
      hasAcl: false,
      isFolder: false,
      folderId: folder?.id ?? 0,
      folderUid: folder?.uid ?? '',
      folderTitle: folder?.title ?? 'General',
      folderUrl: folder === undefined ? '' : folderUrl(folder.uid, folder.title),
      provisioned: false,
      provisionedExternalId: '',
    },
  })
}

export const deleteDashboard = (store: GrafanaStore, uid: string): Reply => {
  const dashboard = store.dashboards.get(uid)
  if (dashboard === undefined) return failure(404, 'Dashboard not found')
  store.dashboards.delete(uid)
  store.versions.delete(uid)
  return reply(200, { title: dashboard.title, message: `Dashboard ${dashboard.title} deleted`, id: dashboard.id })
}

/** `POST /api/dashboards/uid/:uid/restore {version}`: the old version saved again, as the newest. */
export const restoreDashboard = (store: GrafanaStore, uid: string, body: unknown, flavour: GrafanaFlavour = '11.3+'): Reply => {
  const current = store.dashboards.get(uid)
  if (current === undefined) return failure(404, 'Dashboard not found')
  if (!isRecord(body) || typeof body.version !== 'number') return failure(400, 'bad request data')
  const old = store.versions.get(uid)?.find((v) => v.version === body.version)
  if (old === undefined) return failure(404, 'Dashboard version not found')
  const saved = saveDashboard(
    store,
    { dashboard: { ...old.model, uid, id: current.id, version: current.version }, folderUid: current.folderUid ?? '', overwrite: true },
    flavour,
  )
  if (saved.status !== 200 || !isRecord(saved.body)) return saved
  const { id, slug, status, url, version } = saved.body
  return reply(200, { id, slug, status, uid, url, version })
}
