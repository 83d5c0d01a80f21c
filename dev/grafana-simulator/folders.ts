/**
 * `POST /api/folders` and `GET /api/folders/:uid` as Grafana answers them.
 *
 * Which status a duplicate create answers changed between Grafana versions (409 "same name", later
 * 412 from the version check), so the simulator can play either; the service must treat both as
 * "already exists" and confirm with a GET.
 */
import { failure, isRecord, reply, stringField, type Reply } from './reply.js'
import { folderUrl, uidProblem, type FolderRecord, type GrafanaStore } from './store.js'

export type FolderExistsStatus = 409 | 412

/** Grafana names the parent (and the chain up to the root) only for a nested folder. */
const parentFields = (store: GrafanaStore, folder: FolderRecord): Record<string, unknown> => {
  const parents: FolderRecord[] = []
  for (
    let up = folder.parentUid === undefined ? undefined : store.folders.get(folder.parentUid);
    up !== undefined;
    up = up.parentUid === undefined ? undefined : store.folders.get(up.parentUid)
  ) {
    parents.unshift(up)
  }
  return folder.parentUid === undefined ? {} : { parentUid: folder.parentUid, parents: parents.map((p) => folderBody(store, p)) }
}

const folderBody = (store: GrafanaStore, folder: FolderRecord): Record<string, unknown> => ({
  id: folder.id,
  uid: folder.uid,
  title: folder.title,
  url: folderUrl(folder.uid, folder.title),
  hasAcl: false,
  canSave: true,
  canEdit: true,
  canAdmin: true,
  canDelete: true,
  createdBy: 'admin',
  created: folder.created,
  updatedBy: 'admin',
  updated: folder.created,
  version: folder.version,
  ...parentFields(store, folder),
})

const folderExists = (status: FolderExistsStatus): Reply =>
  status === 409 ? failure(409, 'a folder with the same name already exists') : failure(412, 'the folder has been changed by someone else', 'version-mismatch')

export const createFolder = (store: GrafanaStore, body: unknown, existsStatus: FolderExistsStatus): Reply => {
  if (!isRecord(body)) return failure(400, 'bad request data')
  const title = (stringField(body, 'title') ?? '').trim()
  if (title === '') return failure(400, 'folder name cannot be empty')
  const uid = stringField(body, 'uid') ?? store.newUid()
  const problem = uidProblem(uid)
  if (problem !== undefined) return failure(400, problem)
  const parentUid = stringField(body, 'parentUid') ?? undefined
  if (parentUid !== undefined && parentUid !== '' && !store.folders.has(parentUid)) return failure(404, 'folder not found', 'not-found')
  const parent = parentUid === '' ? undefined : parentUid
  if (store.folders.has(uid)) return folderExists(existsStatus)
  // Grafana also refuses a second folder with the same title under the same parent (another uid).
  const sameTitle = [...store.folders.values()].some((f) => f.title === title && f.parentUid === parent)
  if (sameTitle) return folderExists(existsStatus)
  const folder: FolderRecord = { uid, title, id: store.nextId(), version: 1, created: new Date().toISOString(), parentUid: parent }
  store.folders.set(uid, folder)
  return reply(200, folderBody(store, folder))
}

export const getFolder = (store: GrafanaStore, uid: string): Reply => {
  const folder = store.folders.get(uid)
  return folder === undefined ? failure(404, 'folder not found', 'not-found') : reply(200, folderBody(store, folder))
}
