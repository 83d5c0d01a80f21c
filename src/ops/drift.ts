/**
 * Drift: where the world (the scrape-config secret, Grafana) disagrees with what the log says is
 * in place. Pure: the observations come in, the list of differences goes out, so every rule is
 * tested without a simulator.
 *
 * The log's word is the snapshot: `job` is the job this service last wrote, `dashboards` the ones
 * it last saved. A service with requests still pending is left alone: the running service is
 * working on it, and "repairing" half-done work would race with it.
 */
import type { DashboardRole } from '../codecs/events.js'
import { findJob, type ScrapeConfigList } from '../effects/scrape-config-list.js'
import { jobFingerprint } from '../effects/scrape-job.js'
import type { ServiceState } from '../state/service-state.js'

export type Drift =
  /** the log says the job is in the secret; it is not */
  | { readonly kind: 'job-missing'; readonly serviceId: string; readonly jobName: string }
  /** the job in the secret is not the one the log says was written (edited by hand?) */
  | { readonly kind: 'job-different'; readonly serviceId: string; readonly jobName: string; readonly expected: string; readonly actual: string }
  /** the service was deleted, but a job of its name is still in the secret */
  | { readonly kind: 'job-left-behind'; readonly serviceId: string; readonly jobName: string }
  /** the log says the dashboard was saved; Grafana does not have it */
  | { readonly kind: 'dashboard-missing'; readonly serviceId: string; readonly role: DashboardRole; readonly uid: string }
  /** the service was deleted, but dashboards with its tag are still in Grafana */
  | { readonly kind: 'dashboard-left-behind'; readonly serviceId: string; readonly uids: readonly string[] }

export type DriftKind = Drift['kind']

export interface ObservedService {
  readonly state: ServiceState
  /** roles whose dashboard (by the uid in the snapshot) Grafana answered 404 for */
  readonly missingDashboards: readonly DashboardRole[]
  /** for a deleted service: uids of dashboards still carrying its tag */
  readonly taggedDashboards: readonly string[]
}

/** Services the running service is still working on: not checked. */
export const isBusy = (state: ServiceState): boolean => state.pending.length > 0

const jobDrift = (state: ServiceState, secret: ScrapeConfigList): Drift[] => {
  const { serviceId } = state
  if (state.job !== null) {
    const actual = findJob(secret, state.job.jobName)
    if (actual === undefined) return [{ kind: 'job-missing', serviceId, jobName: state.job.jobName }]
    const fingerprint = jobFingerprint(actual)
    return fingerprint === state.job.fingerprint ? [] : [{ kind: 'job-different', serviceId, jobName: state.job.jobName, expected: state.job.fingerprint, actual: fingerprint }]
  }
  // the job is named after the service, so a deleted service's name must not be in the secret
  if (state.status === 'deleted' && findJob(secret, serviceId) !== undefined) return [{ kind: 'job-left-behind', serviceId, jobName: serviceId }]
  return []
}

const dashboardDrift = ({ state, missingDashboards, taggedDashboards }: ObservedService): Drift[] => {
  const { serviceId } = state
  const missing = missingDashboards.flatMap((role): Drift[] => {
    const uid = state.dashboards[role]?.uid
    return uid === undefined ? [] : [{ kind: 'dashboard-missing', serviceId, role, uid }]
  })
  const leftBehind: Drift[] = state.status === 'deleted' && taggedDashboards.length > 0 ? [{ kind: 'dashboard-left-behind', serviceId, uids: taggedDashboards }] : []
  return [...missing, ...leftBehind]
}

export const findDrift = (services: readonly ObservedService[], secret: ScrapeConfigList): readonly Drift[] =>
  services.filter((s) => !isBusy(s.state)).flatMap((s) => [...jobDrift(s.state, secret), ...dashboardDrift(s)])

export const describeDrift = (d: Drift): string => {
  switch (d.kind) {
    case 'job-missing': return `job ${d.jobName} is missing from the secret`
    case 'job-different': return `job ${d.jobName} differs from the one written (fingerprint ${d.actual}, expected ${d.expected})`
    case 'job-left-behind': return `job ${d.jobName} is still in the secret although the service was deleted`
    case 'dashboard-missing': return `${d.role} dashboard ${d.uid} is missing from Grafana`
    case 'dashboard-left-behind': return `dashboard(s) ${d.uids.join(', ')} still in Grafana although the service was deleted`
  }
}
