import * as t from 'io-ts'
import { DashboardRole } from '../dashboard-role.js'
import { EventMeta, eventHead, hasEventHead, type EventFields } from './event-head.js'

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

/** `u` already is a decoded DashboardUpserted (see hasEventHead). */
export const isDecodedDashboardUpserted = (u: unknown): u is DashboardUpserted =>
  hasEventHead(u, 'DashboardUpserted') &&
  DashboardRole.is(u['role']) &&
  typeof u['uid'] === 'string' &&
  typeof u['id'] === 'number' &&
  typeof u['url'] === 'string' &&
  typeof u['version'] === 'number' &&
  typeof u['folderUid'] === 'string' &&
  typeof u['fingerprint'] === 'string'
