/**
 * The three kinds of dashboard a service can have. One home for the name: events record it, the
 * snapshot keys its dashboards by it, and the effects derive uids, tags and folders from it.
 */
import * as t from 'io-ts'

export const DashboardRole = t.keyof({ metrics: null, logs: null, platform: null }, 'DashboardRole')
export type DashboardRole = t.TypeOf<typeof DashboardRole>

/** Every role, in the order dashboards are created and listed. */
export const DASHBOARD_ROLES = Object.keys(DashboardRole.keys) as readonly DashboardRole[]
