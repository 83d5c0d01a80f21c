import { catchError, defer, of, type Observable } from 'rxjs'
import { dashboardUpserted, stepFailed, type ServiceEvent } from '../codecs/events.js'
import type { UpsertDashboardStep } from '../state/step.js'
import { dashboardModelOf } from './desired-state.js'
import { Folders } from './folders.js'
import { GrafanaError } from './grafana-error.js'
import { grafanaReason } from './grafana-failure.js'
import type { StepDeps } from './step-deps.js'

/**
 * Ensure the role's folder, then create or overwrite the dashboard under its fixed uid. Both calls
 * are idempotent, so the client's retries (POST included) and a re-run after a crash are safe.
 */
export const upsertDashboard$ = (step: UpsertDashboardStep, deps: Pick<StepDeps, 'grafana' | 'datasources' | 'now'>): Observable<readonly ServiceEvent[]> => {
  const { requestId } = step.pending
  const folder = Folders[step.role]
  return defer(async (): Promise<readonly ServiceEvent[]> => {
    const model = dashboardModelOf(step.role, step.payload, deps.datasources)
    const message = `telemetry-client: request ${requestId}`
    const save = async () => {
      await deps.grafana.ensureFolder(folder.uid, folder.title)
      try {
        return await deps.grafana.upsertDashboard(model, folder.uid, message)
      } catch (error) {
        // the folder is remembered once confirmed; if someone deleted it since, make it again
        if (!(error instanceof GrafanaError) || error.kind !== 'invalid') throw error
        deps.grafana.forgetFolder(folder.uid)
        await deps.grafana.ensureFolder(folder.uid, folder.title)
        return deps.grafana.upsertDashboard(model, folder.uid, message)
      }
    }
    let ref = await save()
    // an earlier attempt that timed out (a save, or a delete) may still land after ours: once it can
    // no longer land, save again so ours is the last write
    if ((await deps.grafana.settle([ref.uid])).length > 0) ref = await save()
    const at = deps.now().toISOString()
    return [dashboardUpserted({ requestId, at, role: step.role, uid: ref.uid, id: ref.id, url: ref.url, version: ref.version, folderUid: folder.uid, fingerprint: step.fingerprint })]
  }).pipe(
    catchError((error: unknown) => {
      const { reason, retryable } = grafanaReason(error)
      return of([stepFailed({ requestId, at: deps.now().toISOString(), step: 'upsertDashboard', reason, retryable })])
    }),
  )
}
