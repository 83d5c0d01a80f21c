import { catchError, defer, of, type Observable } from 'rxjs'
import { DASHBOARD_ROLES } from '../codecs/dashboard-role.js'
import { dashboardsDeleted, stepFailed, type ServiceEvent } from '../codecs/events.js'
import type { DeleteDashboardsStep } from '../state/step.js'
import type { ServiceState } from '../state/service-state.js'
import { dashboardUid, serviceTag } from './dashboard-uids.js'
import { grafanaReason } from './grafana-failure.js'
import type { StepDeps } from './step-deps.js'

/**
 * Delete every dashboard of the service: the ones the log knows, the fixed uids of every role,
 * and whatever carries the service's tag (dashboards from an older layout, or made by hand).
 * A 404 is fine: someone removed it already.
 */
export const deleteDashboards$ = (step: DeleteDashboardsStep, state: ServiceState, deps: Pick<StepDeps, 'grafana' | 'now'>): Observable<readonly ServiceEvent[]> => {
  const { requestId } = step.pending
  return defer(async (): Promise<readonly ServiceEvent[]> => {
    const known = DASHBOARD_ROLES.flatMap((role) => [state.dashboards[role]?.uid, dashboardUid(state.serviceId, role)])
    const tagged = (await deps.grafana.searchByTag(serviceTag(state.serviceId))).map((hit) => hit.uid)
    const candidates = [...new Set([...known, ...tagged].filter((uid): uid is string => uid !== undefined))]
    const deleted: string[] = []
    for (const uid of candidates) {
      if ((await deps.grafana.deleteDashboard(uid)) === 'deleted') deleted.push(uid)
    }
    // a save that timed out earlier may still land after our delete: once it can no longer land,
    // delete what it may have brought back
    for (const uid of await deps.grafana.settle(candidates)) {
      if ((await deps.grafana.deleteDashboard(uid)) === 'deleted' && !deleted.includes(uid)) deleted.push(uid)
    }
    return [dashboardsDeleted({ requestId, at: deps.now().toISOString(), uids: deleted })]
  }).pipe(
    catchError((error: unknown) => {
      const { reason, retryable } = grafanaReason(error)
      return of([stepFailed({ requestId, at: deps.now().toISOString(), step: 'deleteDashboards', reason, retryable })])
    }),
  )
}
