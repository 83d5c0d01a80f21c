/**
 * list: every service in the services index with its status and last change. The status is the
 * log's (snapshot plus newer events, as the service itself loads it), so a request accepted a
 * moment ago already shows as pending.
 */
import type { EventStore } from '../../state/store/event-store.js'
import type { ServiceStatus } from '../../state/service-state.js'
import { formatTable } from '../table.js'

export interface ServiceSummary {
  readonly serviceId: string
  readonly status: ServiceStatus
  readonly version: number
  /** from the services index: when the log last changed */
  readonly lastChange: string
  readonly pending: number
  readonly outstanding: number
  readonly job: string | null
  readonly dashboards: number
}

export const listServices = async (store: EventStore): Promise<readonly ServiceSummary[]> => {
  const index = await store.listServices()
  const out: ServiceSummary[] = []
  for (const { serviceId, lastChangeMs } of index) {
    const state = await store.load(serviceId)
    out.push({
      serviceId,
      status: state.status,
      version: state.version,
      lastChange: new Date(lastChangeMs).toISOString(),
      pending: state.pending.length,
      outstanding: state.outstanding.length,
      job: state.job?.jobName ?? null,
      dashboards: Object.keys(state.dashboards).length,
    })
  }
  return out
}

export const formatServiceList = (rows: readonly ServiceSummary[]): string => {
  if (rows.length === 0) return 'no services'
  const table = formatTable(
    ['SERVICE', 'STATUS', 'VERSION', 'LAST CHANGE', 'PENDING', 'JOB', 'DASHBOARDS'],
    rows.map((r) => [
      r.serviceId,
      r.status,
      String(r.version),
      r.lastChange,
      String(r.pending + r.outstanding),
      r.job === null ? '-' : 'yes',
      String(r.dashboards),
    ]),
  )
  const byStatus = (['active', 'deleted', 'failed', 'new'] as const).map((s) => `${rows.filter((r) => r.status === s).length} ${s}`).join(', ')
  return `${table}\n${rows.length} service${rows.length === 1 ? '' : 's'}: ${byStatus}`
}
