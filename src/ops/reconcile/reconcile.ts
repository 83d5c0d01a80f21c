/**
 * reconcile: compare what the log says is in place with the active scrape backend (the secret or
 * the service's ScrapeConfigs, read by `observeJobs`) and Grafana, report the drift
 * and (unless dry-run) repair it. See drift.ts for the kinds and repair-drift.ts for how each is
 * fixed (by the service's own step effects).
 *
 * The check of every service is only the plan. Each service with drift is then repaired under
 * its lease (the one the running service claims, operator-lease.ts): its log is loaded and the
 * world looked at again, only what is still drift is repaired, and a job is written or removed
 * only if the one in place is still the one just seen (the edit's `expect` fingerprint). A
 * service deleted or changed by a request while reconcile looked at others is therefore never
 * "repaired" back; one with a request in progress, or whose lease the service holds, is skipped
 * and reported.
 *
 * Repairs are not requests: nothing is appended as RequestAccepted and no result goes to SONATA.
 * The facts they establish are appended to the service's log under the run's request id
 * (`reconcile:<uuid>`), while the lease is held (the service cannot have acted meanwhile, so
 * they are still true after a request accepted in between), so the snapshot keeps matching the
 * world and `inspect` shows who changed what.
 */
import { randomUUID } from 'node:crypto'
import type { ServiceEvent } from '../../codecs/events.js'
import { DASHBOARD_ROLES, type DashboardRole } from '../../codecs/dashboard-role.js'
import { dashboardUid } from '../../effects/grafana/dashboard-uids.js'
import { Folders } from '../../effects/grafana/folders.js'
import type { GrafanaClient } from '../../effects/grafana/grafana-client.js'
import type { EventStore } from '../../state/store/event-store.js'
import { fold } from '../../state/evolve.js'
import type { ServiceState } from '../../state/service-state.js'
import { fingerprintInPlace } from '../../effects/prometheus/owned-list-edits.js'
import type { ScrapeTargets } from '../../effects/kube/scrape-targets.js'
import { describeDrift, expectedJobNames, findDrift, isBusy, type Drift, type ObservedService } from './drift.js'
import type { JobsInPlace, ObserveJobs, ScrapeBackendName } from './jobs-in-place.js'
import type { OperatorLease } from '../operator-lease.js'
import { repairDrift, type RepairDeps, type RepairOutcome } from './repair-drift.js'

export interface ReconcileDeps extends Omit<RepairDeps, 'requestId' | 'grafana'> {
  /** the whole client: reconcile also searches by tag to find what a deleted service left behind */
  readonly grafana: GrafanaClient
  readonly store: EventStore
  /** what the active backend has in place (jobs-in-place.ts); repairs go through `scrapeTargets` of the same backend */
  readonly observeJobs: ObserveJobs
  /** each service's lease, claimed before it is repaired */
  readonly lease: OperatorLease
}

export interface ServiceRepairs {
  readonly serviceId: string
  readonly outcomes: readonly RepairOutcome[]
  /** true: the facts were appended; false: they could not be; null: nothing to record */
  readonly recorded: boolean | null
  /** why the service was left alone when its turn came (a request in progress, its lease held) */
  readonly skipped?: string
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

const observeOne = async (deps: ReconcileDeps, state: ServiceState): Promise<ObservedService> => {
  const { serviceId } = state
  if (isBusy(state)) return { state, missingDashboards: [], taggedDashboards: [] }
  const missingDashboards: DashboardRole[] = []
  for (const role of DASHBOARD_ROLES) {
    const uid = state.dashboards[role]?.uid
    if (uid !== undefined && (await deps.grafana.getDashboard(uid)) === undefined) missingDashboards.push(role)
  }
  // only the service's own uids in its own folders: a tagged "Save as" copy elsewhere is someone else's
  const own = (hit: { uid: string; folderUid?: string }) =>
    DASHBOARD_ROLES.some((role) => hit.uid === dashboardUid(serviceId, role) && hit.folderUid === Folders[role].uid)
  const taggedDashboards = state.status === 'deleted' ? (await deps.grafana.listOwn(serviceId)).filter(own).map((hit) => hit.uid) : []
  return { state, missingDashboards, taggedDashboards }
}

const observe = async (deps: ReconcileDeps, serviceIds: readonly string[]): Promise<ObservedService[]> => {
  const out: ObservedService[] = []
  for (const serviceId of serviceIds) out.push(await observeOne(deps, await deps.store.load(serviceId)))
  return out
}

/** Appended on the log as it is now: the lease is held, so the facts are still true after a request accepted meanwhile. */
const record = async (deps: ReconcileDeps, serviceId: string, outcomes: readonly RepairOutcome[]): Promise<boolean | null> => {
  const events: ServiceEvent[] = outcomes.flatMap((o) => o.events)
  if (events.length === 0) return null
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    const state = await deps.store.load(serviceId)
    if ((await deps.store.append(serviceId, state.version, events, fold(state, events), deps.now().getTime())).ok) return true
  }
  return false
}

const sameDrift =
  (a: Drift) =>
  (b: Drift): boolean =>
    a.kind === b.kind && a.serviceId === b.serviceId && ('role' in a ? 'role' in b && a.role === b.role : true)

/** A job repair writes only over the job just seen in place (or its absence). */
const plannedWith = (targets: ScrapeTargets, drift: Drift, jobs: JobsInPlace): ScrapeTargets => {
  if (!('jobName' in drift)) return targets
  const expect = fingerprintInPlace(jobs.jobOf(drift.jobName))
  return { submit: (edit) => targets.submit(edit.op === 'adopt' ? edit : { ...edit, expect }) }
}

const skippedBecause = (serviceId: string, why: string): ServiceRepairs => ({ serviceId, outcomes: [], recorded: null, skipped: why })

/** Under the lease: load and look again, repair what is still drift against what is in place now. */
const repairService = async (
  deps: ReconcileDeps,
  repairDeps: RepairDeps,
  serviceId: string,
  planned: readonly Drift[],
): Promise<{ repairs: ServiceRepairs; found: readonly Drift[] }> => {
  const state = await deps.store.load(serviceId)
  if (isBusy(state)) return { repairs: skippedBecause(serviceId, 'a request arrived meanwhile: the running service is on it'), found: [] }
  const observed = await observeOne(deps, state)
  const jobs = await deps.observeJobs(expectedJobNames([observed]))
  const found = findDrift([observed], jobs).map((d) => planned.find(sameDrift(d)) ?? d)
  const events = await deps.store.readEvents(serviceId)
  const outcomes: RepairOutcome[] = []
  for (const d of found) outcomes.push(await repairDrift(d, state, events, { ...repairDeps, scrapeTargets: plannedWith(repairDeps.scrapeTargets, d, jobs) }))
  for (const d of planned) {
    if (!found.includes(d))
      outcomes.push({ drift: d, ok: true, detail: "no longer there when looked at again under the service's lease (changed meanwhile)", events: [] })
  }
  return { repairs: { serviceId, outcomes, recorded: await record(deps, serviceId, outcomes) }, found }
}

export const reconcile = async (
  deps: ReconcileDeps,
  options: { readonly serviceIds: readonly string[]; readonly dryRun: boolean },
): Promise<ReconcileReport> => {
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
  const allDrift = [...drift]
  const busyNow = [...busy]
  for (const service of observed) {
    const { serviceId } = service.state
    const own = drift.filter((d) => d.serviceId === serviceId)
    if (own.length === 0) continue
    const done = await deps.lease.holding([serviceId], async (held) =>
      held.length === 0
        ? { repairs: skippedBecause(serviceId, 'its lease is held: the running service is working on it'), found: [] }
        : repairService(deps, repairDeps, serviceId, own),
    )
    repairs.push(done.repairs)
    if (done.repairs.skipped !== undefined) busyNow.push(serviceId)
    allDrift.push(...done.found.filter((d) => !own.includes(d)))
  }
  return { ...base, busy: busyNow, drift: allDrift, requestId, repairs }
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
  const skipped = new Map(report.repairs.flatMap((r) => (r.skipped === undefined ? [] : [[r.serviceId, r.skipped] as const])))
  for (const d of report.drift) {
    const repair = outcomes.get(d)
    const skip = skipped.get(d.serviceId)
    const tail =
      repair === undefined
        ? skip === undefined
          ? ''
          : `\n    skipped: ${skip}`
        : repair.o.ok && repair.o.events.length === 0
          ? `\n    nothing to do: ${repair.o.detail}`
          : repair.o.ok
            ? `\n    repaired: ${repair.o.detail}${repair.recorded === false ? ' (not recorded in the log: appending failed)' : ''}`
            : `\n    NOT repaired: ${repair.o.detail}`
    lines.push(`${d.kind.padEnd(21)} ${d.serviceId}: ${describeDrift(d, report.backend)}${tail}`)
  }
  if (report.busy.length > 0) lines.push(`skipped (requests in progress or lease held): ${report.busy.join(', ')}`)
  // a drift gone by the time its service's lease was held needed no repair
  const repaired = report.repairs.reduce((n, r) => n + r.outcomes.filter((o) => o.ok && o.events.length > 0).length, 0)
  const verb = report.dryRun ? 'dry run, nothing changed' : `${repaired} repaired`
  lines.push(
    `${report.checked} service${report.checked === 1 ? '' : 's'} checked: ${report.drift.length} drift${report.drift.length === 1 ? '' : 's'} found, ${verb}`,
  )
  return lines.join('\n')
}

const skippedJson = (report: ReconcileReport, d: Drift): { skipped?: string } => {
  const skipped = report.repairs.find((r) => r.serviceId === d.serviceId)?.skipped
  return skipped === undefined ? {} : { skipped }
}

export const reconcileJson = (report: ReconcileReport) => {
  const outcomes = new Map(report.repairs.flatMap((r) => r.outcomes.map((o) => [o.drift, { ok: o.ok, detail: o.detail, recorded: r.recorded }] as const)))
  return {
    dryRun: report.dryRun,
    backend: report.backend,
    checked: report.checked,
    busy: report.busy,
    drift: report.drift.map((d) => ({ ...d, description: describeDrift(d, report.backend), repair: outcomes.get(d) ?? null, ...skippedJson(report, d) })),
  }
}
