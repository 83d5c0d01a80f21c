import * as t from 'io-ts'
import { EventMeta, eventHead, hasEventHead, type EventFields } from './event-head.js'

/** One delete sweep: every dashboard of the service found by uid or by tag (possibly none). */
export const DashboardsDeleted = t.type({ ...EventMeta, type: t.literal('DashboardsDeleted'), uids: t.array(t.string) }, 'DashboardsDeleted')
export type DashboardsDeleted = t.TypeOf<typeof DashboardsDeleted>

export const dashboardsDeleted = (e: EventFields<DashboardsDeleted>): DashboardsDeleted => ({
  ...eventHead('DashboardsDeleted', e),
  uids: e.uids,
})

/** `u` already is a decoded DashboardsDeleted (see hasEventHead). */
export const isDecodedDashboardsDeleted = (u: unknown): u is DashboardsDeleted =>
  hasEventHead(u, 'DashboardsDeleted') && Array.isArray(u['uids']) && u['uids'].every((uid) => typeof uid === 'string')
