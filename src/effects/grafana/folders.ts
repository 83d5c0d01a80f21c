/**
 * The three Grafana folders named by the spec. Uids are fixed so folder creation is idempotent
 * (an existing folder answers 409/412 and is then confirmed by uid) and dashboards can name their
 * folder without a lookup.
 */
import type { DashboardRole } from '../../codecs/dashboard-role.js'

export interface FolderSpec {
  readonly uid: string
  readonly title: string
}

export const Folders = {
  metrics: { uid: 'etsi-hypo-app-metrics', title: 'ETSI HypO App Metrics' },
  logs: { uid: 'etsi-hypo-end-user-service-logs', title: 'ETSI HypO End-User Service Logs' },
  platform: { uid: 'etsi-hypo-platform-service-logs', title: 'ETSI HypO Platform Service Logs' },
} as const satisfies Readonly<Record<DashboardRole, FolderSpec>>
