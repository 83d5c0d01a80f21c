/**
 * Repairs for each kind of drift, through the same doors the service uses: the one group-commit
 * secret writer, and the Grafana client with the same dashboard builders and folders. Each repair
 * returns the fact it established as a domain event (ScrapeJobRegistered, ScrapeJobRemoved,
 * DashboardUpserted, DashboardsDeleted) under a `reconcile:<time>` request id, so the caller can
 * append it and the snapshot stays the truth about the world. Nothing here throws: a failed repair
 * is an outcome with a reason.
 */
import { firstValueFrom } from 'rxjs'
import { dashboardUpserted, dashboardsDeleted, scrapeJobRegistered, scrapeJobRemoved, type DashboardRole, type RequestAccepted, type ServiceEvent } from '../codecs/events.js'
import { dashboardModelOf, desiredFingerprints, jobOf, type DatasourceUids } from '../effects/desired-state.js'
import { Folders } from '../effects/folders.js'
import type { GrafanaClient } from '../effects/grafana-client.js'
import { jobFingerprint } from '../effects/scrape-job.js'
import type { SecretWriter } from '../effects/secret-writer.js'
import type { StoredEvent } from '../state/store/event-store.js'
import type { ServiceState } from '../state/service-state.js'
import type { Drift } from './drift.js'

export interface RepairDeps {
  readonly secretWriter: SecretWriter
  readonly grafana: GrafanaClient
  readonly datasources: DatasourceUids
  readonly now: () => Date
  /** `reconcile:<iso time>`: the request id of every fact this run records */
  readonly requestId: string
}

export interface RepairOutcome {
  readonly drift: Drift
  readonly ok: boolean
  readonly detail: string
  readonly events: readonly ServiceEvent[]
}

type Request = RequestAccepted['request']

/** Requests the log saw completed (SUCCESS or FAILURE), newest completion first: what a repair may rebuild from. */
export const completedRequests = (events: readonly StoredEvent[]): ReadonlyArray<{ readonly requestId: string; readonly request: Request }> => {
  const accepted = new Map<string, Request>()
  const out: Array<{ requestId: string; request: Request }> = []
  for (const { event } of events) {
    if (event.type === 'RequestAccepted') accepted.set(event.requestId, event.request)
    const request = event.type === 'RequestCompleted' ? accepted.get(event.requestId) : undefined
    if (request !== undefined) out.unshift({ requestId: event.requestId, request })
  }
  return out
}

const failed = (drift: Drift, detail: string): RepairOutcome => ({ drift, ok: false, detail, events: [] })
const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const rewriteJob = async (drift: Drift, state: ServiceState, sources: ReturnType<typeof completedRequests>, deps: RepairDeps): Promise<RepairOutcome> => {
  if (state.job === null) return failed(drift, 'the log records no job for this service')
  const recorded = state.job.fingerprint
  // the job is rebuilt from the request that produced it: the newest completed create whose job has the recorded fingerprint
  const source = sources.find((s) => s.request.kind === 'create' && jobFingerprint(jobOf(s.request.payload)) === recorded)
  if (source === undefined || source.request.kind !== 'create') return failed(drift, 'no completed create request in the log yields the recorded job')
  const job = jobOf(source.request.payload)
  const outcome = await firstValueFrom(deps.secretWriter.submit({ op: 'upsert', job }))
  if (!outcome.ok) return failed(drift, `secret write failed: ${outcome.reason}`)
  const at = deps.now().toISOString()
  return { drift, ok: true, detail: `job ${job.job_name} rewritten from request ${source.requestId}`, events: [scrapeJobRegistered({ requestId: deps.requestId, at, jobName: job.job_name, fingerprint: recorded })] }
}

const removeJob = async (drift: Drift & { readonly jobName: string }, deps: RepairDeps): Promise<RepairOutcome> => {
  const outcome = await firstValueFrom(deps.secretWriter.submit({ op: 'remove', jobName: drift.jobName }))
  if (!outcome.ok) return failed(drift, `secret write failed: ${outcome.reason}`)
  const at = deps.now().toISOString()
  return { drift, ok: true, detail: `job ${drift.jobName} removed`, events: [scrapeJobRemoved({ requestId: deps.requestId, at, jobName: drift.jobName, wasPresent: outcome.wasPresent })] }
}

const recreateDashboard = async (drift: Drift, role: DashboardRole, state: ServiceState, sources: ReturnType<typeof completedRequests>, deps: RepairDeps): Promise<RepairOutcome> => {
  const wanted: 'platform' | 'create' = role === 'platform' ? 'platform' : 'create'
  const candidates = sources.flatMap((s) => (s.request.kind === 'delete' || s.request.kind !== wanted ? [] : [{ requestId: s.requestId, payload: s.request.payload }]))
  const fingerprintOf = desiredFingerprints(deps.datasources).dashboard
  const recorded = state.dashboards[role]?.fingerprint
  // prefer the request whose model has the recorded fingerprint; else the newest (the datasource settings changed since)
  const source = candidates.find((c) => fingerprintOf(role, c.payload) === recorded) ?? candidates[0]
  if (source === undefined) return failed(drift, `no completed ${wanted} request in the log to rebuild the ${role} dashboard from`)
  const model = dashboardModelOf(role, source.payload, deps.datasources)
  const folder = Folders[role]
  try {
    await deps.grafana.ensureFolder(folder.uid, folder.title)
    const ref = await deps.grafana.upsertDashboard(model, folder.uid, `telemetry-client reconcile: ${role} dashboard of ${state.serviceId}`)
    const at = deps.now().toISOString()
    const fingerprint = fingerprintOf(role, source.payload)
    return {
      drift,
      ok: true,
      detail: `${role} dashboard ${ref.uid} re-created from request ${source.requestId}${fingerprint === recorded ? '' : ' (model differs from the recorded one: datasource settings changed?)'}`,
      events: [dashboardUpserted({ requestId: deps.requestId, at, role, uid: ref.uid, id: ref.id, url: ref.url, version: ref.version, folderUid: folder.uid, fingerprint })],
    }
  } catch (error) {
    return failed(drift, `Grafana: ${reasonOf(error)}`)
  }
}

const deleteDashboards = async (drift: Drift & { readonly uids: readonly string[] }, deps: RepairDeps): Promise<RepairOutcome> => {
  const deleted: string[] = []
  try {
    for (const uid of drift.uids) if ((await deps.grafana.deleteDashboard(uid)) === 'deleted') deleted.push(uid)
  } catch (error) {
    return failed(drift, `Grafana: ${reasonOf(error)}`)
  }
  const at = deps.now().toISOString()
  return { drift, ok: true, detail: `deleted ${deleted.join(', ') || 'nothing (already gone)'}`, events: [dashboardsDeleted({ requestId: deps.requestId, at, uids: deleted })] }
}

export const repairDrift = async (drift: Drift, state: ServiceState, events: readonly StoredEvent[], deps: RepairDeps): Promise<RepairOutcome> => {
  try {
    switch (drift.kind) {
      case 'job-missing':
      case 'job-different': return await rewriteJob(drift, state, completedRequests(events), deps)
      case 'job-left-behind': return await removeJob(drift, deps)
      case 'dashboard-missing': return await recreateDashboard(drift, drift.role, state, completedRequests(events), deps)
      case 'dashboard-left-behind': return await deleteDashboards(drift, deps)
    }
  } catch (error) {
    return failed(drift, reasonOf(error))
  }
}
