import { catchError, concat, concatMap, defer, from, ignoreElements, map, of, throwError, type Observable } from 'rxjs'
import { dashboardUpserted, stepFailed, type ServiceEvent } from '../../codecs/events.js'
import type { UpsertDashboardStep } from '../../state/step.js'
import { dashboardModelOf } from '../desired-state.js'
import { Folders } from '../grafana/folders.js'
import { GrafanaError } from '../grafana/grafana-error.js'
import { grafanaReason } from '../grafana/grafana-failure.js'
import type { DashboardRef } from '../grafana/grafana-port.js'
import type { StepDeps } from './step-deps.js'

/**
 * Ensure the role's folder, then create or overwrite the dashboard under its fixed uid. Both calls
 * are idempotent, so the client's retries (POST included) and a re-run after a crash are safe.
 * A dashboard of ours that a person moved into a folder that is not the service's is theirs to
 * keep there: it is left alone, and the event (then the SUCCESS message) names where it is.
 * `known`: the log holds this role's dashboard. When it does not, the save is create-only first and
 * reads only if Grafana says the uid exists (a crash or a retry after a save that landed, a dashboard put
 * back by hand).
 * Every call starts only after the previous one completed (concat / concatMap).
 */
export const upsertDashboard$ = (
  step: UpsertDashboardStep,
  deps: Pick<StepDeps, 'grafana' | 'datasources' | 'now'>,
  known = true,
): Observable<readonly ServiceEvent[]> => {
  const { requestId } = step.pending
  const folder = Folders[step.role]
  const { grafana } = deps
  return defer(() => {
    const model = dashboardModelOf(step.role, step.payload, deps.datasources)
    const message = `telemetry-client: request ${requestId}`
    const ensureFolder$ = defer(() => grafana.ensureFolder(folder.uid, folder.title)).pipe(ignoreElements())
    // the port leaves a dashboard a person moved out of the folder where it is (`leftInFolder`)
    const upsert$: Observable<DashboardRef> = defer(() => grafana.upsertDashboard(model, folder.uid, message, step.payload.serviceId, { createFirst: !known }))
    const save$ = concat(
      ensureFolder$,
      upsert$.pipe(
        catchError((error: unknown) => {
          // the folder is remembered once confirmed; if someone deleted it since, make it again
          if (!(error instanceof GrafanaError) || error.kind !== 'invalid') return throwError(() => error)
          grafana.forgetFolder(folder.uid)
          return concat(ensureFolder$, upsert$)
        }),
      ),
    )
    // an earlier attempt that timed out (a save, or a delete) may still land after ours: once it can
    // no longer land, save again so ours is the last write
    return save$.pipe(
      concatMap((ref) => from(grafana.settle([ref.uid])).pipe(concatMap((landedLate) => (landedLate.length > 0 ? save$ : of(ref))))),
      map((ref): readonly ServiceEvent[] => {
        const at = deps.now().toISOString()
        const { id, leftInFolder } = ref
        return [
          dashboardUpserted({
            requestId,
            at,
            role: step.role,
            uid: ref.uid,
            ...(id === undefined ? {} : { id }),
            url: ref.url,
            version: ref.version,
            folderUid: folder.uid,
            fingerprint: step.fingerprint,
            ...(leftInFolder === undefined ? {} : { leftInFolder }),
          }),
        ]
      }),
    )
  }).pipe(
    catchError((error: unknown) => {
      const { reason, retryable, mayHaveLanded } = grafanaReason(error)
      const at = deps.now().toISOString()
      return of([stepFailed({ requestId, at, step: 'upsertDashboard', reason, retryable, ...(mayHaveLanded ? { mayHaveChanged: step.role } : {}) })])
    }),
  )
}
