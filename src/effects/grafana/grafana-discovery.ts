/**
 * Which Grafana API holds dashboards and folders: `GET /apis` (an `APIGroupList`). The newest
 * dashboard and folder versions the service knows that Grafana offers win; a Grafana without
 * `/apis` (404), or without both groups in a known version, is spoken to through the legacy `/api`.
 * Anything else (Grafana down, 5xx, 401) is an error of its kind: discovery is asked again later.
 */
import { APIGroupList } from '../../codecs/apis/grafana-apis.js'
import type { GrafanaApiInUse } from './grafana-port.js'
import { isOk, type Call, type GrafanaTransport } from './grafana-transport.js'

/** newest first; `v2` (schema v2) is not the classic JSON the service writes */
export const KNOWN_VERSIONS = ['v1', 'v1beta1'] as const

const newestKnown = (groups: APIGroupList['groups'], name: string): string | undefined => {
  const offered = new Set(groups.find((g) => g.name === name)?.versions.map((v) => v.version) ?? [])
  return KNOWN_VERSIONS.find((v) => offered.has(v))
}

/** Pure: the API to use given the discovery document. */
export const apiOfGroups = (groups: APIGroupList['groups'], namespace: string): GrafanaApiInUse => {
  const dashboardVersion = newestKnown(groups, 'dashboard.grafana.app')
  const folderVersion = newestKnown(groups, 'folder.grafana.app')
  return dashboardVersion === undefined || folderVersion === undefined ? { kind: 'legacy' } : { kind: 'apis', dashboardVersion, folderVersion, namespace }
}

export const discoverApi = async (transport: GrafanaTransport, namespace: string): Promise<GrafanaApiInUse> => {
  const call: Call = { kind: 'discovery', operation: 'discover Grafana APIs', method: 'get', path: 'apis' }
  const answer = await transport.send(call)
  if (answer.status === 404) return { kind: 'legacy' }
  if (!isOk(answer)) throw transport.unexpected(call, answer)
  return apiOfGroups(transport.decode(APIGroupList, call, answer).groups, namespace)
}
