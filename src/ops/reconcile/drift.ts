/**
 * Drift: where the world (the active scrape backend — the secret or the ScrapeConfigs — and
 * Grafana) disagrees with what the log says is in place. Pure: the observations come in, the list of differences goes out, so every rule is
 * tested without a simulator.
 *
 * The log's word is the snapshot: `job` is the job this service last wrote, `dashboards` the ones
 * it last saved. A service with requests still pending is left alone: the running service is
 * working on it, and "repairing" half-done work would race with it.
 */
import type { DashboardRole } from '../../codecs/events.js'
import { jobFingerprint } from '../../effects/prometheus/scrape-job.js'
import type { ServiceState } from '../../state/service-state.js'
import type { JobsInPlace, ScrapeBackendName } from './jobs-in-place.js'

export type Drift =
  /** the log says the job is in place; it is not (`foreign`: an object of its name is somebody else's, the repair will fail) */
  | { readonly kind: 'job-missing'; readonly serviceId: string; readonly jobName: string; readonly foreign?: true }
  /** the job in place is not the one the log says was written (edited by hand?) */
  | { readonly kind: 'job-different'; readonly serviceId: string; readonly jobName: string; readonly expected: string; readonly actual: string }
  /** the service was deleted, but a job of its name is still in place */
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

const jobDrift = (state: ServiceState, jobs: JobsInPlace): Drift[] => {
  const { serviceId } = state
  if (state.job !== null) {
    const { jobName } = state.job
    const actual = jobs.jobOf(jobName)
    if (actual === undefined) return [{ kind: 'job-missing', serviceId, jobName, ...(jobs.foreign.has(jobName) ? { foreign: true as const } : {}) }]
    const fingerprint = jobFingerprint(actual)
    return fingerprint === state.job.fingerprint ? [] : [{ kind: 'job-different', serviceId, jobName, expected: state.job.fingerprint, actual: fingerprint }]
  }
  // the job is named after the service, so a deleted service's name must not be in place
  if (state.status === 'deleted' && jobs.jobOf(serviceId) !== undefined) return [{ kind: 'job-left-behind', serviceId, jobName: serviceId }]
  return []
}

const dashboardDrift = ({ state, missingDashboards, taggedDashboards }: ObservedService): Drift[] => {
  const { serviceId } = state
  const missing = missingDashboards.flatMap((role): Drift[] => {
    const uid = state.dashboards[role]?.uid
    return uid === undefined ? [] : [{ kind: 'dashboard-missing', serviceId, role, uid }]
  })
  const leftBehind: Drift[] =
    state.status === 'deleted' && taggedDashboards.length > 0 ? [{ kind: 'dashboard-left-behind', serviceId, uids: taggedDashboards }] : []
  return [...missing, ...leftBehind]
}

export const findDrift = (services: readonly ObservedService[], jobs: JobsInPlace): readonly Drift[] =>
  services.filter((s) => !isBusy(s.state)).flatMap((s) => [...jobDrift(s.state, jobs), ...dashboardDrift(s)])

/** Job names the logs say are in place: the ones worth asking the backend about. */
export const expectedJobNames = (services: readonly ObservedService[]): readonly string[] =>
  services.flatMap(({ state }) => (isBusy(state) || state.job === null ? [] : [state.job.jobName]))

const missingJob = (d: Extract<Drift, { kind: 'job-missing' }>, backend: ScrapeBackendName): string => {
  if (backend === 'secret') return `job ${d.jobName} is missing from the secret`
  const foreign =
    d.foreign === true ? '; an object of its name exists that this service did not create, so the repair will fail on it (rename or remove that object)' : ''
  return `job ${d.jobName} has no ScrapeConfig${foreign}`
}

export const describeDrift = (d: Drift, backend: ScrapeBackendName): string => {
  switch (d.kind) {
    case 'job-missing':
      return missingJob(d, backend)
    case 'job-different':
      return `${backend === 'secret' ? `job ${d.jobName}` : `the ScrapeConfig of job ${d.jobName}`} differs from the one written (fingerprint ${d.actual}, expected ${d.expected})`
    case 'job-left-behind':
      return `${backend === 'secret' ? `job ${d.jobName} is still in the secret` : `the ScrapeConfig of job ${d.jobName} is still in place`} although the service was deleted`
    case 'dashboard-missing':
      return `${d.role} dashboard ${d.uid} is missing from Grafana`
    case 'dashboard-left-behind':
      return `dashboard(s) ${d.uids.join(', ')} still in Grafana although the service was deleted`
  }
}
