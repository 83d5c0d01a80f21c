/**
 * Codecs for the answers of Grafana's `/apis` (Kubernetes-style resources, Grafana 12+): discovery,
 * dashboards, folders, lists and `Status` errors. As in grafana.ts, only the fields the service
 * reads are required and the rest passes through.
 */
import * as t from 'io-ts'

/** `GET /apis`: every API group with its versions and the one the server prefers. */
export const APIGroupList = t.type({
  groups: t.array(
    t.intersection([
      t.type({ name: t.string, versions: t.array(t.type({ version: t.string })) }),
      t.partial({ preferredVersion: t.type({ version: t.string }) }),
    ]),
  ),
})
export type APIGroupList = t.TypeOf<typeof APIGroupList>

const StringMap = t.record(t.string, t.string)

export const ObjectMeta = t.intersection([
  t.type({ name: t.string }),
  t.partial({ namespace: t.string, resourceVersion: t.string, generation: t.number, labels: StringMap, annotations: StringMap }),
])
export type ObjectMeta = t.TypeOf<typeof ObjectMeta>

/** A dashboard resource; `spec` is the classic dashboard JSON (v1, v1beta1). */
export const DashboardResource = t.type({ metadata: ObjectMeta, spec: t.UnknownRecord })
export type DashboardResource = t.TypeOf<typeof DashboardResource>

export const DashboardList = t.intersection([
  t.type({ items: t.array(DashboardResource) }),
  t.partial({ metadata: t.partial({ continue: t.string, resourceVersion: t.string }) }),
])
export type DashboardList = t.TypeOf<typeof DashboardList>

export const FolderResource = t.type({ metadata: ObjectMeta, spec: t.intersection([t.type({ title: t.string }), t.partial({ description: t.string })]) })
export type FolderResource = t.TypeOf<typeof FolderResource>

/** Kubernetes' error body; used to tell "no such object" from "no such route" and to make errors readable. */
export const KubeStatus = t.intersection([
  t.type({ kind: t.literal('Status') }),
  t.partial({ status: t.string, message: t.string, reason: t.string, code: t.number, details: t.partial({ name: t.string, group: t.string, kind: t.string }) }),
])
export type KubeStatus = t.TypeOf<typeof KubeStatus>
