import { catchError, concat, concatMap, defer, from, ignoreElements, map, of, tap, type Observable } from 'rxjs'
import { DASHBOARD_ROLES, type DashboardRole } from '../../codecs/dashboard-role.js'
import { dashboardsDeleted, stepFailed, type ServiceEvent } from '../../codecs/events.js'
import type { DeleteDashboardsStep } from '../../state/step.js'
import type { ServiceState } from '../../state/service-state.js'
import { dashboardUid } from '../grafana/dashboard-uids.js'
import { Folders } from '../grafana/folders.js'
import { grafanaReason } from '../grafana/grafana-failure.js'
import type { StepDeps, StepGrafana } from './step-deps.js'

interface Candidate {
  readonly uid: string
  readonly folderUid: string
}

/** The dashboards this service may have created (of `roles`): per role, its fixed uid and the one the log recorded. */
const ownCandidates = (state: ServiceState, roles: readonly DashboardRole[]): readonly Candidate[] => {
  const folderOf = new Map<string, string>()
  for (const role of roles) {
    for (const uid of [state.dashboards[role]?.uid, dashboardUid(state.serviceId, role)]) {
      if (uid !== undefined && !folderOf.has(uid)) folderOf.set(uid, Folders[role].uid)
    }
  }
  return [...folderOf].map(([uid, folderUid]) => ({ uid, folderUid }))
}

/** Deletes `uid` only while it is still in the service's folder: moved elsewhere, it is someone's now. */
const deleteIfOurs$ = (grafana: StepGrafana, { uid, folderUid }: Candidate): Observable<boolean> =>
  defer(() => grafana.getDashboard(uid)).pipe(
    concatMap((found) => (found?.folderUid !== folderUid ? of(false) : from(grafana.deleteDashboard(uid)).pipe(map((outcome) => outcome === 'deleted')))),
  )

/**
 * Delete the dashboards the service created, and only those: its fixed uids (and the uids its log
 * recorded) in its own folders. A dashboard that merely carries the service's tags — a person's
 * "Save as" copy, in their folder or in General — is not ours and stays. A 404 is fine: someone
 * removed it already. Deletes run one after another (concatMap). An undo names the roles it takes
 * back (`step.roles`): the service's other dashboards stay.
 */
export const deleteDashboards$ = (
  step: DeleteDashboardsStep,
  state: ServiceState,
  deps: Pick<StepDeps, 'grafana' | 'now'>,
): Observable<readonly ServiceEvent[]> => {
  const { requestId } = step.pending
  const { grafana } = deps
  return defer(() => {
    const candidates = ownCandidates(state, step.roles ?? DASHBOARD_ROLES)
    const deleted: string[] = []
    const deleteEach = (each: readonly Candidate[]) =>
      from(each).pipe(
        concatMap((candidate) =>
          deleteIfOurs$(grafana, candidate).pipe(
            tap((gone) => {
              if (gone && !deleted.includes(candidate.uid)) deleted.push(candidate.uid)
            }),
          ),
        ),
        ignoreElements(),
      )
    return concat(
      deleteEach(candidates),
      // a save that timed out earlier may still land after our delete: once it can no longer
      // land, delete what it may have brought back
      defer(() => grafana.settle(candidates.map((c) => c.uid))).pipe(concatMap((uids) => deleteEach(candidates.filter((c) => uids.includes(c.uid))))),
      defer(() => of<readonly ServiceEvent[]>([dashboardsDeleted({ requestId, at: deps.now().toISOString(), uids: deleted })])),
    )
  }).pipe(
    catchError((error: unknown) => {
      const { reason, retryable } = grafanaReason(error)
      return of([stepFailed({ requestId, at: deps.now().toISOString(), step: 'deleteDashboards', reason, retryable })])
    }),
  )
}
