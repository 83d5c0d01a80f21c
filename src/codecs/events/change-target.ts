import * as t from 'io-ts'
import { DashboardRole } from '../dashboard-role.js'

/** What one step changes: the service's scrape job, or its dashboard of one role. */
export const ChangeTarget = t.union([t.literal('job'), DashboardRole], 'ChangeTarget')
export type ChangeTarget = t.TypeOf<typeof ChangeTarget>
