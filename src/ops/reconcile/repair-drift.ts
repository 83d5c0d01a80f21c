/**
 * Repairs for each kind of drift, by the service's own step effects: a repair is the step the
 * service would take (registerJob, removeJob, upsertDashboard, deleteDashboards), built from the
 * request in the log that produced what is missing, and run by the same effect under the run's
 * `reconcile:<uuid>` request id. So a repair writes through the active backend's scrape-targets
 * port (the one group-commit secret writer, or the ScrapeConfig writer) and saves dashboards
 * with the same folder re-create and settle logic as the service, and the facts it returns are
 * the events that effect records. Nothing here throws: a failed
 * repair (the effect's StepFailed) is an outcome with a reason and records nothing.
 */
import { firstValueFrom, type Observable } from 'rxjs'
import type { AcceptedRequest, ServiceEvent } from '../../codecs/events.js'
import type { DashboardRole } from '../../codecs/dashboard-role.js'
import { deleteDashboards$ } from '../../effects/steps/delete-dashboards.js'
import { desiredFingerprints, jobOf } from '../../effects/desired-state.js'
import { registerJob$ } from '../../effects/steps/register-job.js'
import { removeJob$ } from '../../effects/steps/remove-job.js'
import { jobFingerprint } from '../../effects/prometheus/scrape-job.js'
import type { StepDeps } from '../../effects/steps/step-deps.js'
import { upsertDashboard$ } from '../../effects/steps/upsert-dashboard.js'
import { newPending, type PendingRequest, type ServiceState } from '../../state/service-state.js'
import type { StoredEvent } from '../../state/store/event-store.js'
import type { Drift } from './drift.js'

export interface RepairDeps extends Pick<StepDeps, 'scrapeTargets' | 'grafana' | 'datasources' | 'now' | 'targetAllow'> {
  /** `reconcile:<uuid>`: the request id of every step this run takes and every fact it records */
  readonly requestId: string
}

export interface RepairOutcome {
  readonly drift: Drift
  readonly ok: boolean
  readonly detail: string
  readonly events: readonly ServiceEvent[]
}

interface Source {
  readonly requestId: string
  readonly request: AcceptedRequest
}

/** Requests the log saw completed (SUCCESS or FAILURE), newest completion first: what a repair may rebuild from. */
export const completedRequests = (events: readonly StoredEvent[]): readonly Source[] => {
  const accepted = new Map<string, AcceptedRequest>()
  const out: Source[] = []
  for (const { event } of events) {
    if (event.type === 'RequestAccepted') accepted.set(event.requestId, event.request)
    const request = event.type === 'RequestCompleted' ? accepted.get(event.requestId) : undefined
    if (request !== undefined) out.unshift({ requestId: event.requestId, request })
  }
  return out
}

/** The request a step effect works for: the source's request, under the reconcile's own id. */
const pendingOf = (source: Source, deps: RepairDeps): PendingRequest => newPending(deps.requestId, source.request, deps.now().toISOString())

const jobNameIn = (events: readonly ServiceEvent[]): string =>
  events.flatMap((e) => (e.type === 'ScrapeJobRegistered' || e.type === 'ScrapeJobRemoved' ? [e.jobName] : []))[0] ?? '?'
const failed = (drift: Drift, detail: string): RepairOutcome => ({ drift, ok: false, detail, events: [] })
const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

/** Runs a step effect; its StepFailed becomes a failed outcome, anything else is the fact to record. */
const outcomeOf = async (
  drift: Drift,
  effect$: Observable<readonly ServiceEvent[]>,
  door: string,
  detail: (events: readonly ServiceEvent[]) => string,
): Promise<RepairOutcome> => {
  const events = await firstValueFrom(effect$)
  const failure = events.find((e) => e.type === 'StepFailed')
  return failure === undefined ? { drift, ok: true, detail: detail(events), events } : failed(drift, `${door}: ${failure.reason}`)
}

const rewriteJob = (drift: Drift, state: ServiceState, sources: readonly Source[], deps: RepairDeps): Promise<RepairOutcome> => {
  if (state.job === null) return Promise.resolve(failed(drift, 'the log records no job for this service'))
  const recorded = state.job.fingerprint
  // the job is rebuilt from the request that produced it: the newest completed create whose job has the recorded fingerprint
  const source = sources.find((s) => s.request.kind === 'create' && jobFingerprint(jobOf(s.request.payload)) === recorded)
  if (source === undefined || source.request.kind !== 'create')
    return Promise.resolve(failed(drift, 'no completed create request in the log yields the recorded job'))
  const step = { type: 'registerJob', pending: pendingOf(source, deps), payload: source.request.payload, fingerprint: recorded } as const
  return outcomeOf(
    drift,
    registerJob$(step, deps),
    'scrape target write failed',
    (events) => `job ${jobNameIn(events)} rewritten from request ${source.requestId}`,
  )
}

const removeJob = (drift: Drift, state: ServiceState, sources: readonly Source[], deps: RepairDeps): Promise<RepairOutcome> => {
  const source = sources.find((s) => s.request.kind === 'delete')
  if (source === undefined) return Promise.resolve(failed(drift, 'no completed delete request in the log'))
  return outcomeOf(
    drift,
    removeJob$({ type: 'removeJob', pending: pendingOf(source, deps) }, state.serviceId, deps),
    'scrape target write failed',
    (events) => `job ${jobNameIn(events)} removed`,
  )
}

const recreateDashboard = (drift: Drift, role: DashboardRole, state: ServiceState, sources: readonly Source[], deps: RepairDeps): Promise<RepairOutcome> => {
  const wanted = role === 'platform' ? 'platform' : 'create'
  const candidates = sources.flatMap((s) => (s.request.kind === 'delete' || s.request.kind !== wanted ? [] : [{ source: s, payload: s.request.payload }]))
  const fingerprintOf = desiredFingerprints(deps.datasources).dashboard
  const recorded = state.dashboards[role]?.fingerprint
  // prefer the request whose model has the recorded fingerprint; else the newest (the datasource settings changed since)
  const chosen = candidates.find((c) => fingerprintOf(role, c.payload) === recorded) ?? candidates[0]
  if (chosen === undefined) return Promise.resolve(failed(drift, `no completed ${wanted} request in the log to rebuild the ${role} dashboard from`))
  const fingerprint = fingerprintOf(role, chosen.payload)
  const step = { type: 'upsertDashboard', pending: pendingOf(chosen.source, deps), role, payload: chosen.payload, fingerprint } as const
  const note = fingerprint === recorded ? '' : ' (model differs from the recorded one: datasource settings changed?)'
  return outcomeOf(drift, upsertDashboard$(step, deps), 'Grafana', (events) => {
    const saved = events.find((e) => e.type === 'DashboardUpserted')
    return `${role} dashboard ${saved?.uid ?? '?'} re-created from request ${chosen.source.requestId}${note}`
  })
}

const deleteDashboards = (drift: Drift, state: ServiceState, sources: readonly Source[], deps: RepairDeps): Promise<RepairOutcome> => {
  const source = sources.find((s) => s.request.kind === 'delete')
  if (source === undefined) return Promise.resolve(failed(drift, 'no completed delete request in the log'))
  return outcomeOf(drift, deleteDashboards$({ type: 'deleteDashboards', pending: pendingOf(source, deps) }, state, deps), 'Grafana', (events) => {
    const deleted = events.flatMap((e) => (e.type === 'DashboardsDeleted' ? e.uids : []))
    return `deleted ${deleted.join(', ') || 'nothing (already gone)'}`
  })
}

export const repairDrift = async (drift: Drift, state: ServiceState, events: readonly StoredEvent[], deps: RepairDeps): Promise<RepairOutcome> => {
  const sources = completedRequests(events)
  try {
    switch (drift.kind) {
      case 'job-missing':
      case 'job-different':
        return await rewriteJob(drift, state, sources, deps)
      case 'job-left-behind':
        return await removeJob(drift, state, sources, deps)
      case 'dashboard-missing':
        return await recreateDashboard(drift, drift.role, state, sources, deps)
      case 'dashboard-left-behind':
        return await deleteDashboards(drift, state, sources, deps)
    }
  } catch (error) {
    return failed(drift, reasonOf(error))
  }
}
