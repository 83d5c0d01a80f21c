import * as t from 'io-ts'
import { DashboardRole } from '../dashboard-role.js'
import { EventMeta, eventHead, type EventFields } from './event-head.js'

/** A dashboard was saved under its fixed uid; Grafana's answer (id, url, version) is kept for the result. */
export const DashboardUpserted = t.type(
  {
    ...EventMeta,
    type: t.literal('DashboardUpserted'),
    role: DashboardRole,
    uid: t.string,
    id: t.number,
    url: t.string,
    version: t.number,
    folderUid: t.string,
    fingerprint: t.string,
  },
  'DashboardUpserted',
)
export type DashboardUpserted = t.TypeOf<typeof DashboardUpserted>

export const dashboardUpserted = (e: EventFields<DashboardUpserted>): DashboardUpserted => ({
  ...eventHead('DashboardUpserted', e),
  role: e.role,
  uid: e.uid,
  id: e.id,
  url: e.url,
  version: e.version,
  folderUid: e.folderUid,
  fingerprint: e.fingerprint,
})
