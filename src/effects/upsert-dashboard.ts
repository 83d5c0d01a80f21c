import { catchError, defer, of, type Observable } from 'rxjs'
import type { ServiceEvent } from '../codecs/events.js'
import type { Step } from '../state/decide.js'
import { dashboardModelOf } from './desired-state.js'
import { Folders } from './folders.js'
import { grafanaReason } from './grafana-failure.js'
import type { StepDeps } from './step-deps.js'

type UpsertDashboard = Extract<Step, { type: 'upsertDashboard' }>

/**
 * Ensure the role's folder, then create or overwrite the dashboard under its fixed uid. Both calls
 * are idempotent, so the client's retries (POST included) and a re-run after a crash are safe.
 */
export const upsertDashboard$ = (step: UpsertDashboard, deps: StepDeps): Observable<readonly ServiceEvent[]> => {
  const meta = { v: 1, requestId: step.pending.requestId } as const
  const folder = Folders[step.role]
  return defer(async (): Promise<readonly ServiceEvent[]> => {
    const model = dashboardModelOf(step.role, step.payload, deps.datasources)
    await deps.grafana.ensureFolder(folder.uid, folder.title)
    const ref = await deps.grafana.upsertDashboard(model, folder.uid, `telemetry-client: request ${step.pending.requestId}`)
    const at = deps.now().toISOString()
    return [{ ...meta, at, type: 'DashboardUpserted', role: step.role, uid: ref.uid, id: ref.id, url: ref.url, version: ref.version, folderUid: folder.uid, fingerprint: step.fingerprint }]
  }).pipe(
    catchError((error: unknown) => {
      const { reason, retryable } = grafanaReason(error)
      return of([{ ...meta, at: deps.now().toISOString(), type: 'StepFailed', step: 'upsertDashboard', reason, retryable } as const])
    }),
  )
}
