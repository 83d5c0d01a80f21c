import { catchError, concat, concatMap, defer, from, ignoreElements, of, tap, type Observable } from 'rxjs'
import type { ServiceEvent } from '../codecs/events.js'
import type { Step } from '../state/decide.js'
import type { ServiceState } from '../state/service-state.js'
import { dashboardUid, serviceTag } from './dashboard-uids.js'
import { grafanaReason } from './grafana-failure.js'
import type { StepDeps } from './step-deps.js'

type DeleteDashboards = Extract<Step, { type: 'deleteDashboards' }>

const ROLES = ['metrics', 'logs', 'platform'] as const

/**
 * Delete every dashboard of the service: the ones the log knows, the fixed uids of every role,
 * and whatever carries the service's tag (dashboards from an older layout, or made by hand).
 * A 404 is fine: someone removed it already. Deletes run one after another (concatMap).
 */
export const deleteDashboards$ = (step: DeleteDashboards, state: ServiceState, deps: StepDeps): Observable<readonly ServiceEvent[]> => {
  const meta = { v: 1, requestId: step.pending.requestId } as const
  const { grafana } = deps
  return defer(() => {
    const known = ROLES.flatMap((role) => [state.dashboards[role]?.uid, dashboardUid(state.serviceId, role)])
    const deleted: string[] = []
    const deleteEach = (uids: readonly string[]) =>
      from(uids).pipe(
        concatMap((uid) =>
          defer(() => grafana.deleteDashboard(uid)).pipe(
            tap((outcome) => {
              if (outcome === 'deleted' && !deleted.includes(uid)) deleted.push(uid)
            }),
          ),
        ),
        ignoreElements(),
      )
    return from(grafana.searchByTag(serviceTag(state.serviceId))).pipe(
      concatMap((hits) => {
        const tagged = hits.map((hit) => hit.uid)
        const candidates = [...new Set([...known, ...tagged].filter((uid): uid is string => uid !== undefined))]
        return concat(
          deleteEach(candidates),
          // a save that timed out earlier may still land after our delete: once it can no longer
          // land, delete what it may have brought back
          defer(() => grafana.settle(candidates)).pipe(concatMap(deleteEach)),
          defer(() => of<readonly ServiceEvent[]>([{ ...meta, at: deps.now().toISOString(), type: 'DashboardsDeleted', uids: deleted }])),
        )
      }),
    )
  }).pipe(
    catchError((error: unknown) => {
      const { reason, retryable } = grafanaReason(error)
      return of([{ ...meta, at: deps.now().toISOString(), type: 'StepFailed', step: 'deleteDashboards', reason, retryable } as const])
    }),
  )
}
