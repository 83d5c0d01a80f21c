/**
 * The undo of a create or platform request that failed for good: what `decide` asks for until the
 * job and dashboards are back to what the request found (`pending.before`), and the FAILURE
 * message that says what was taken back and what stayed. Pure, like decide: every undo outcome is
 * an event (evolve.ts), so a crash mid-undo resumes it from the log.
 *
 * Order: dashboards first (the request made them last), then the job. A job or dashboard the
 * request changed, whose previous version the log cannot render again (recorded before the log
 * kept its source), cannot be restored: it stays, and the message names it. A write that failed
 * without a readable answer may have landed all the same (`undo.mayHaveChanged`): its target is
 * put back too, after everything the log recorded.
 */
import { DASHBOARD_ROLES, type DashboardRole } from '../codecs/dashboard-role.js'
import type { Applied, PendingRequest, ServiceState } from './service-state.js'
import type { WorkStep } from './step.js'

const sameDashboard = (a: Applied['dashboards'][DashboardRole], b: Applied['dashboards'][DashboardRole]): boolean =>
  a?.uid === b?.uid && a?.fingerprint === b?.fingerprint

export interface UndoPlan {
  /** the next undo step; undefined when nothing more can be taken back */
  readonly next: WorkStep | undefined
  /** what differs from before and cannot be put back */
  readonly stuck: readonly string[]
}

export const undoPlan = (state: ServiceState, pending: PendingRequest): UndoPlan => {
  const before = pending.before
  if (before === undefined) return { next: undefined, stuck: [] }
  const stuck: string[] = []
  const added = DASHBOARD_ROLES.filter((role) => state.dashboards[role] !== undefined && before.dashboards[role] === undefined)
  if (added.length > 0) return { next: { type: 'deleteDashboards', pending, roles: added }, stuck }
  for (const role of DASHBOARD_ROLES) {
    const now = state.dashboards[role]
    const then = before.dashboards[role]
    if (then === undefined || sameDashboard(now, then)) continue
    if (then.payload !== undefined) return { next: { type: 'upsertDashboard', pending, role, payload: then.payload, fingerprint: then.fingerprint }, stuck }
    stuck.push(`dashboard ${now?.uid ?? then.uid} (its previous version is not in the log)`)
  }
  const job = state.job
  if (job?.fingerprint !== before.job?.fingerprint) {
    if (before.job === null) return { next: { type: 'removeJob', pending }, stuck }
    if (before.job.payload !== undefined)
      return { next: { type: 'registerJob', pending, payload: before.job.payload, fingerprint: before.job.fingerprint }, stuck }
    stuck.push(`Prometheus job ${before.job.jobName} (its previous version is not in the log)`)
  }
  return unsurePlan(state, pending, before, stuck)
}

/**
 * Last, what a write that got no readable answer may have changed (`undo.mayHaveChanged`): put
 * back as if the log had recorded it. Last, so a Grafana or Kubernetes that still does not answer
 * keeps only this from being taken back, never what the log knows the request did.
 */
const unsurePlan = (state: ServiceState, pending: PendingRequest, before: Applied, stuck: string[]): UndoPlan => {
  const unsure = pending.undo?.mayHaveChanged ?? []
  const unsureRoles = DASHBOARD_ROLES.filter((role) => unsure.includes(role))
  const roles = unsureRoles.filter((role) => before.dashboards[role] === undefined)
  if (roles.length > 0) return { next: { type: 'deleteDashboards', pending, roles }, stuck }
  for (const role of unsureRoles) {
    const then = before.dashboards[role]
    if (then === undefined) continue
    if (then.payload !== undefined) return { next: { type: 'upsertDashboard', pending, role, payload: then.payload, fingerprint: then.fingerprint }, stuck }
    stuck.push(`dashboard ${then.uid} (its save may have landed; its previous version is not in the log)`)
  }
  if (unsure.includes('job') && state.job?.fingerprint === before.job?.fingerprint) {
    if (before.job === null) return { next: { type: 'removeJob', pending }, stuck }
    if (before.job.payload !== undefined)
      return { next: { type: 'registerJob', pending, payload: before.job.payload, fingerprint: before.job.fingerprint }, stuck }
    stuck.push(`Prometheus job ${before.job.jobName} (its write may have landed; its previous version is not in the log)`)
  }
  return { next: undefined, stuck }
}

/** What differs from before, for the message of an undo that failed for good. */
export const leftInPlace = (state: ServiceState, pending: PendingRequest): readonly string[] => {
  const before = pending.before
  if (before === undefined) return []
  const dashboards = DASHBOARD_ROLES.filter((role) => !sameDashboard(state.dashboards[role], before.dashboards[role])).map((role) => {
    const now = state.dashboards[role]
    return now === undefined ? `dashboard ${before.dashboards[role]?.uid ?? role} deleted` : `dashboard ${now.uid}`
  })
  const job =
    state.job?.fingerprint === before.job?.fingerprint
      ? []
      : [state.job === null ? `Prometheus job ${before.job?.jobName ?? state.serviceId} removed` : `Prometheus job ${state.job.jobName}`]
  // what a write may have changed unseen, and the undo did not get to
  const unsure = (pending.undo?.mayHaveChanged ?? []).flatMap((target) => {
    if (target === 'job') return job.length > 0 ? [] : [`possibly Prometheus job ${before.job?.jobName ?? state.serviceId} (its write may have landed)`]
    return sameDashboard(state.dashboards[target], before.dashboards[target]) ? [`possibly the ${target} dashboard (its save may have landed)`] : []
  })
  return [...dashboards, ...job, ...unsure]
}
