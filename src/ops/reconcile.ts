/**
 * reconcile: compare what the log says is in place with the active scrape backend (the secret or
 * the service's ScrapeConfigs, read by `observeJobs`) and Grafana, report the drift
 * and (unless dry-run) repair it. See drift.ts for the kinds and repair-drift.ts for how each is
 * fixed (by the service's own step effects).
 *
 * Repairs are not requests: nothing is appended as RequestAccepted and no result goes to SONATA.
 * The facts they establish are appended to the service's log under the run's request id
 * (`reconcile:<uuid>`) with the expected version, so the snapshot keeps matching the world and
 * `inspect` shows who changed what. If the service's log moved on meanwhile (the running service
 * took a new request), the fact is not recorded; the repair itself stands, and the report says so.
 */
import { randomUUID } from 'node:crypto'
import type { ServiceEvent } from '../codecs/events.js'
import { DASHBOARD_ROLES, type DashboardRole } from '../codecs/dashboard-role.js'
import { dashboardUid } from '../effects/dashboard-uids.js'
import { Folders } from '../effects/folders.js'
import type { GrafanaClient } from '../effects/grafana-client.js'
import type { EventStore } from '../state/store/event-store.js'
import { fold } from '../state/evolve.js'
import { describeDrift, expectedJobNames, findDrift, isBusy, type Drift, type ObservedService } from './drift.js'
import type { ObserveJobs, ScrapeBackendName } from './jobs-in-place.js'
import { repairDrift, type RepairDeps, type RepairOutcome } from './repair-drift.js'

export interface ReconcileDeps extends Omit<RepairDeps, 'requestId' | 'grafana'> {
  /** the whole client: reconcile also searches by tag to find what a deleted service left behind */
  readonly grafana: GrafanaClient
  readonly store: EventStore
  /** what the active backend has in place (jobs-in-place.ts); repairs go through `scrapeTargets` of the same backend */
  readonly observeJobs: ObserveJobs
}

export interface ServiceRepairs {
  readonly serviceId: string
  readonly outcomes: readonly RepairOutcome[]
  /** true: the facts were appended; false: the log moved on; null: nothing to record */
  readonly recorded: boolean | null
}

export interface ReconcileReport {
  readonly dryRun: boolean
  /** the scrape backend the jobs were compared with */
  readonly backend: ScrapeBackendName
  /** `reconcile:<uuid>`: the request id the repairs ran and were recorded under; null when nothing was repaired */
  readonly requestId: string | null
  readonly checked: number
  /** services with requests in progress: left to the running service */
  readonly busy: readonly string[]
  readonly drift: readonly Drift[]
  readonly repairs: readonly ServiceRepairs[]
}

const observe = async (deps: ReconcileDeps, serviceIds: readonly string[]): Promise<ObservedService[]> => {
  const out: ObservedService[] = []
  for (const serviceId of serviceIds) {
    const state = await deps.store.load(serviceId)
    if (isBusy(state)) {
      out.push({ state, missingDashboards: [], taggedDashboards: [] })
      continue
    }
    const missingDashboards: DashboardRole[] = []
    for (const role of DASHBOARD_ROLES) {
      const uid = state.dashboards[role]?.uid
      if (uid !== undefined && (await deps.grafana.getDashboard(uid)) === undefined) missingDashboards.push(role)
    }
    // only the service's own uids in its own folders: a tagged "Save as" copy elsewhere is someone else's
    const own = (hit: { uid: string; folderUid?: string }) => DASHBOARD_ROLES.some((role) => hit.uid === dashboardUid(serviceId, role) && hit.folderUid === Folders[role].uid)
    const taggedDashboards = state.status === 'deleted' ? (await deps.grafana.listOwn(serviceId)).filter(own).map((hit) => hit.uid) : []
    out.push({ state, missingDashboards, taggedDashboards })
  }
  return out
}

const record = async (deps: ReconcileDeps, observed: ObservedService, outcomes: readonly RepairOutcome[]): Promise<boolean | null> => {
  const events: ServiceEvent[] = outcomes.flatMap((o) => o.events)
  if (events.length === 0) return null
  const { state } = observed
  const appended = await deps.store.append(state.serviceId, state.version, events, fold(state, events), deps.now().getTime())
  return appended.ok
}

export const reconcile = async (deps: ReconcileDeps, options: { readonly serviceIds: readonly string[]; readonly dryRun: boolean }): Promise<ReconcileReport> => {
  const observed = await observe(deps, options.serviceIds)
  const jobs = await deps.observeJobs(expectedJobNames(observed))
  const drift = findDrift(observed, jobs)
  const busy = observed.filter((o) => isBusy(o.state)).map((o) => o.state.serviceId)
  const base = { dryRun: options.dryRun, backend: jobs.backend, checked: observed.length, busy, drift }
  if (options.dryRun || drift.length === 0) return { ...base, requestId: null, repairs: [] }
  // one id for the whole run: `inspect` shows every fact of one reconcile together
  const requestId = `reconcile:${randomUUID()}`
  const repairDeps: RepairDeps = { ...deps, requestId }
  const repairs: ServiceRepairs[] = []
  for (const service of observed) {
    const own = drift.filter((d) => d.serviceId === service.state.serviceId)
    if (own.length === 0) continue
    const events = await deps.store.readEvents(service.state.serviceId)
    const outcomes: RepairOutcome[] = []
    for (const d of own) outcomes.push(await repairDrift(d, service.state, events, repairDeps))
    repairs.push({ serviceId: service.state.serviceId, outcomes, recorded: await record(deps, service, outcomes) })
  }
  return { ...base, requestId, repairs }
}

/**
 * The command's exit code. A dry run follows `terraform plan -detailed-exitcode`: 0 no drift,
 * 2 drift (an error is 1, by the command frame). Repairing: 1 when a repair did not succeed.
 */
export const reconcileExitCode = (report: ReconcileReport): 0 | 1 | 2 => {
  if (report.dryRun) return report.drift.length > 0 ? 2 : 0
  return report.repairs.some((r) => r.outcomes.some((o) => !o.ok)) ? 1 : 0
}

export const formatReconcile = (report: ReconcileReport): string => {
  const lines: string[] = []
  const outcomes = new Map(report.repairs.flatMap((r) => r.outcomes.map((o) => [o.drift, { o, recorded: r.recorded }] as const)))
  for (const d of report.drift) {
    const repair = outcomes.get(d)
    const tail = repair === undefined ? '' : repair.o.ok ? `\n    repaired: ${repair.o.detail}${repair.recorded === false ? ' (not recorded in the log: it moved on meanwhile)' : ''}` : `\n    NOT repaired: ${repair.o.detail}`
    lines.push(`${d.kind.padEnd(21)} ${d.serviceId}: ${describeDrift(d, report.backend)}${tail}`)
  }
  if (report.busy.length > 0) lines.push(`skipped (requests in progress): ${report.busy.join(', ')}`)
  const repaired = report.repairs.reduce((n, r) => n + r.outcomes.filter((o) => o.ok).length, 0)
  const verb = report.dryRun ? 'dry run, nothing changed' : `${repaired} repaired`
  lines.push(`${report.checked} service${report.checked === 1 ? '' : 's'} checked: ${report.drift.length} drift${report.drift.length === 1 ? '' : 's'} found, ${verb}`)
  return lines.join('\n')
}

export const reconcileJson = (report: ReconcileReport) => {
  const outcomes = new Map(report.repairs.flatMap((r) => r.outcomes.map((o) => [o.drift, { ok: o.ok, detail: o.detail, recorded: r.recorded }] as const)))
  return {
    dryRun: report.dryRun,
    backend: report.backend,
    checked: report.checked,
    busy: report.busy,
    drift: report.drift.map((d) => ({ ...d, description: describeDrift(d, report.backend), repair: outcomes.get(d) ?? null })),
  }
}
