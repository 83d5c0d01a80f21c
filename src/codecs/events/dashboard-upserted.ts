import * as t from 'io-ts'
import { DashboardRole } from '../dashboard-role.js'
import { EventMeta, eventHead, hasEventHead, type EventFields } from './event-head.js'

/**
 * A dashboard was saved under its fixed uid; Grafana's answer (url, version, and the numeric id the
 * legacy API gives; `/apis` has none) is kept for the result. `leftInFolder`: the dashboard exists but
 * a person moved it into a folder that is not the service's, so it was left there, unchanged.
 */
export const DashboardUpserted = t.intersection(
  [
    t.type({
      ...EventMeta,
      type: t.literal('DashboardUpserted'),
      role: DashboardRole,
      uid: t.string,
      url: t.string,
      version: t.number,
      folderUid: t.string,
      fingerprint: t.string,
    }),
    t.partial({ id: t.number, leftInFolder: t.string }),
  ],
  'DashboardUpserted',
)
export type DashboardUpserted = t.TypeOf<typeof DashboardUpserted>

export const dashboardUpserted = (e: EventFields<DashboardUpserted>): DashboardUpserted => ({
  ...eventHead('DashboardUpserted', e),
  role: e.role,
  uid: e.uid,
  ...(e.id === undefined ? {} : { id: e.id }),
  url: e.url,
  version: e.version,
  folderUid: e.folderUid,
  fingerprint: e.fingerprint,
  ...(e.leftInFolder === undefined ? {} : { leftInFolder: e.leftInFolder }),
})

/** `u` already is a decoded DashboardUpserted (see hasEventHead). */
export const isDecodedDashboardUpserted = (u: unknown): u is DashboardUpserted =>
  hasEventHead(u, 'DashboardUpserted') &&
  DashboardRole.is(u['role']) &&
  typeof u['uid'] === 'string' &&
  (u['id'] === undefined || typeof u['id'] === 'number') &&
  typeof u['url'] === 'string' &&
  typeof u['version'] === 'number' &&
  typeof u['folderUid'] === 'string' &&
  typeof u['fingerprint'] === 'string' &&
  (u['leftInFolder'] === undefined || typeof u['leftInFolder'] === 'string')
