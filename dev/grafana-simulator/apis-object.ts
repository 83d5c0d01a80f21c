/**
 * An object as Grafana's `/apis` shows it (the apiserver's `metadata`): the stored record's uid as
 * `metadata.name`, its id as `metadata.uid` and the `grafana.app/deprecatedInternalID` label, its
 * version as `generation`, and the annotations Grafana sets itself.
 */
import type { ApiResource } from './apis-status.js'
import type { FolderRecord } from './store.js'

export const FOLDER_ANNOTATION = 'grafana.app/folder'
export const INTERNAL_ID_LABEL = 'grafana.app/deprecatedInternalID'

/** what a stored folder and a stored dashboard both have */
export type StoredObject = Pick<FolderRecord, 'uid' | 'id' | 'version' | 'created' | 'resourceVersion'>

export interface ObjectParts {
  readonly labels?: Readonly<Record<string, string>>
  readonly annotations: Readonly<Record<string, string>>
  readonly spec: Readonly<Record<string, unknown>>
}

export const apiObject = (r: ApiResource, kind: string, o: StoredObject, version: string, namespace: string, parts: ObjectParts): Record<string, unknown> => ({
  kind,
  apiVersion: `${r.group}/${version}`,
  metadata: {
    name: o.uid,
    namespace,
    uid: `sim-${o.id}`,
    resourceVersion: o.resourceVersion ?? '0',
    generation: o.version,
    creationTimestamp: o.created,
    labels: { ...parts.labels, [INTERNAL_ID_LABEL]: String(o.id) },
    annotations: { ...parts.annotations, 'grafana.app/createdBy': 'user:admin' },
  },
  spec: parts.spec,
})
