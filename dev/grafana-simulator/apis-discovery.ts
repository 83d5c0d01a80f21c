/**
 * Discovery as Grafana's API server answers it: `GET /apis` (an `APIGroupList` with every group,
 * its versions and the preferred one) and `GET /apis/<group>` (one `APIGroup`). Only the two
 * groups the service uses are listed; a real Grafana lists many more.
 */
import { reply, type Reply } from './reply.js'
import { unknownPath } from './apis-status.js'

export interface ApisVersions {
  /** dashboard.grafana.app versions served, preferred first (Grafana 13: v1; Grafana 12: v1beta1) */
  readonly dashboard: readonly string[]
  /** folder.grafana.app versions served, preferred first */
  readonly folder: readonly string[]
}

export const GRAFANA_13: ApisVersions = { dashboard: ['v1', 'v1beta1'], folder: ['v1', 'v1beta1'] }
export const GRAFANA_12: ApisVersions = { dashboard: ['v1beta1'], folder: ['v1beta1'] }

const group = (name: string, versions: readonly string[]) => {
  const entries = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }))
  return { name, versions: entries, ...(entries[0] === undefined ? {} : { preferredVersion: entries[0] }) }
}

const groups = (served: ApisVersions) => [group('dashboard.grafana.app', served.dashboard), group('folder.grafana.app', served.folder)]

export const apiGroupList = (served: ApisVersions): Reply => reply(200, { kind: 'APIGroupList', apiVersion: 'v1', groups: groups(served) })

export const apiGroup = (served: ApisVersions, name: string): Reply => {
  const found = groups(served).find((g) => g.name === name)
  return found === undefined ? unknownPath() : reply(200, { kind: 'APIGroup', apiVersion: 'v1', ...found })
}
