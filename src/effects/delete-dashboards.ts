import { catchError, defer, of, type Observable } from 'rxjs'
import { DASHBOARD_ROLES } from '../codecs/dashboard-role.js'
import { dashboardsDeleted, stepFailed, type ServiceEvent } from '../codecs/events.js'
import type { DeleteDashboardsStep } from '../state/step.js'
import type { ServiceState } from '../state/service-state.js'
import { dashboardUid } from './dashboard-uids.js'
import { Folders } from './folders.js'
import type { GrafanaClient } from './grafana-client.js'
import { grafanaReason } from './grafana-failure.js'
import type { StepDeps } from './step-deps.js'

/** The dashboards this service may have created: per role, its fixed uid and the one the log recorded. */
const ownCandidates = (state: ServiceState): ReadonlyArray<{ readonly uid: string; readonly folderUid: string }> => {
  const folderOf = new Map<string, string>()
  for (const role of DASHBOARD_ROLES) {
    for (const uid of [state.dashboards[role]?.uid, dashboardUid(state.serviceId, role)]) {
      if (uid !== undefined && !folderOf.has(uid)) folderOf.set(uid, Folders[role].uid)
    }
  }
  return [...folderOf].map(([uid, folderUid]) => ({ uid, folderUid }))
}

/** Deletes `uid` only while it is still in the service's folder: moved elsewhere, it is someone's now. */
const deleteIfOurs = async (grafana: GrafanaClient, uid: string, folderUid: string): Promise<boolean> => {
  const found = await grafana.getDashboard(uid)
  if (found?.folderUid !== folderUid) return false
  return (await grafana.deleteDashboard(uid)) === 'deleted'
}

/**
 * Delete the dashboards the service created, and only those: its fixed uids (and the uids its log
 * recorded) in its own folders. A dashboard that merely carries the service's tags — a person's
 * "Save as" copy, in their folder or in General — is not ours and stays. A 404 is fine: someone
 * removed it already.
 */
export const deleteDashboards$ = (step: DeleteDashboardsStep, state: ServiceState, deps: Pick<StepDeps, 'grafana' | 'now'>): Observable<readonly ServiceEvent[]> => {
  const { requestId } = step.pending
  return defer(async (): Promise<readonly ServiceEvent[]> => {
    const candidates = ownCandidates(state)
    const deleted: string[] = []
    for (const { uid, folderUid } of candidates) {
      if (await deleteIfOurs(deps.grafana, uid, folderUid)) deleted.push(uid)
    }
    // a save that timed out earlier may still land after our delete: once it can no longer land,
    // delete what it may have brought back
    for (const uid of await deps.grafana.settle(candidates.map((c) => c.uid))) {
      const folderUid = candidates.find((c) => c.uid === uid)?.folderUid ?? ''
      if ((await deleteIfOurs(deps.grafana, uid, folderUid)) && !deleted.includes(uid)) deleted.push(uid)
    }
    return [dashboardsDeleted({ requestId, at: deps.now().toISOString(), uids: deleted })]
  }).pipe(
    catchError((error: unknown) => {
      const { reason, retryable } = grafanaReason(error)
      return of([stepFailed({ requestId, at: deps.now().toISOString(), step: 'deleteDashboards', reason, retryable })])
    }),
  )
}
