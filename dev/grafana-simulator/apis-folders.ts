/**
 * Folders as `folder.grafana.app` resources on the same store as `/api/folders`: `metadata.name`
 * is the uid, `spec.title` the title, the parent (nested folders) the `grafana.app/folder`
 * annotation. As through the legacy API, a second folder with the same title under the same parent
 * is refused (409).
 */
import { alreadyExists, badRequest, conflict, notFound, type ApiResource } from './apis-status.js'
import { FOLDER_ANNOTATION, apiObject } from './apis-object.js'
import { isRecord, reply, type Reply } from './reply.js'
import { uidProblem, type FolderRecord, type GrafanaStore } from './store.js'

export const FOLDERS: ApiResource = { group: 'folder.grafana.app', plural: 'folders' }

export const folderResource = (f: FolderRecord, version: string, namespace: string): Record<string, unknown> =>
  apiObject(FOLDERS, 'Folder', f, version, namespace, {
    annotations: f.parentUid === undefined ? {} : { [FOLDER_ANNOTATION]: f.parentUid },
    spec: { title: f.title },
  })

export const createFolderResource = (store: GrafanaStore, body: unknown, version: string, namespace: string): Reply => {
  if (!isRecord(body) || !isRecord(body.metadata) || !isRecord(body.spec)) return badRequest('the body must be a Folder object with metadata and spec')
  if (typeof body.metadata.resourceVersion === 'string' && body.metadata.resourceVersion !== '')
    return badRequest('resourceVersion should not be set on objects to be created')
  const name = typeof body.metadata.name === 'string' ? body.metadata.name : store.newUid()
  const problem = uidProblem(name)
  if (problem !== undefined) return badRequest(`metadata.name: ${problem}`)
  const title = typeof body.spec.title === 'string' ? body.spec.title.trim() : ''
  if (title === '') return badRequest('folder name cannot be empty')
  const annotations = isRecord(body.metadata.annotations) ? body.metadata.annotations : {}
  const parentRaw = annotations[FOLDER_ANNOTATION]
  const parentUid = typeof parentRaw === 'string' && parentRaw !== '' ? parentRaw : undefined
  if (parentUid !== undefined && !store.folders.has(parentUid)) return badRequest(`parent folder not found: ${parentUid}`)
  if (store.folders.has(name)) return alreadyExists(FOLDERS, name)
  if ([...store.folders.values()].some((f) => f.title === title && f.parentUid === parentUid))
    return conflict(FOLDERS, name, 'a folder with the same name already exists')
  const folder: FolderRecord = {
    uid: name,
    title,
    id: store.nextId(),
    version: 1,
    created: new Date().toISOString(),
    parentUid,
    resourceVersion: store.nextResourceVersion(),
  }
  store.folders.set(name, folder)
  return reply(201, folderResource(folder, version, namespace))
}

export const getFolderResource = (store: GrafanaStore, name: string, version: string, namespace: string): Reply => {
  const folder = store.folders.get(name)
  return folder === undefined ? notFound(FOLDERS, name) : reply(200, folderResource(folder, version, namespace))
}
