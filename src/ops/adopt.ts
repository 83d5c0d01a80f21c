/**
 * adopt: take over, by a documented rule and never silently, jobs the service wrote before it kept
 * an ownership record (or after the record was lost).
 *
 * A job of the list that is not in the record is adoptable when its `job_name` is a serviceId
 * whose event log says the job is registered (a `ScrapeJobRegistered` not removed since) and the
 * job in the secret has exactly the fingerprint recorded there, i.e. its text is what the service
 * rendered. Adopting adds it to the record through the secret writer (resourceVersion, one PUT);
 * the list's text is not changed.
 *
 * Each adoption happens under the service's lease (operator-lease.ts), judged again on the log as
 * it is then; the adopt edit compares the job's fingerprint at write time. A service with a
 * request in progress, or whose lease stays held, is not adopted this time (run adopt again).
 */
import { firstValueFrom } from 'rxjs'
import { isLeft } from 'fp-ts/lib/Either.js'
import type { SecretClient } from '../effects/kube/secret/kube-secret-client.js'
import { listAndRecord, readScrapeSecret } from '../effects/kube/secret/read-scrape-secret.js'
import { jobFingerprint } from '../effects/prometheus/scrape-job.js'
import type { SecretWriter } from '../effects/kube/secret/secret-writer.js'
import type { EventStore } from '../state/store/event-store.js'
import { isBusy } from './reconcile/drift.js'
import type { OperatorLease } from './operator-lease.js'

export interface AdoptDeps {
  readonly store: EventStore
  readonly secretClient: SecretClient
  readonly secretWriter: SecretWriter
  /** each service's lease, claimed before its job is adopted */
  readonly lease: OperatorLease
}

export interface AdoptCandidate {
  readonly jobName: string
  readonly adoptable: boolean
  /** why it is (not) adoptable, or why adopting failed */
  readonly reason: string
  readonly adopted: boolean
}

export interface AdoptReport {
  readonly dryRun: boolean
  readonly candidates: readonly AdoptCandidate[]
}

const judge = async (store: EventStore, jobName: string, item: unknown): Promise<Omit<AdoptCandidate, 'adopted'> & { fingerprint?: string }> => {
  const state = await store.load(jobName)
  if (isBusy(state)) return { jobName, adoptable: false, reason: `service ${jobName} has requests in progress (the running service is on it): run adopt again` }
  if (state.job === null || state.job.jobName !== jobName)
    return { jobName, adoptable: false, reason: `the event log of service ${jobName} has no registered job` }
  const found = jobFingerprint(item)
  if (found !== state.job.fingerprint) {
    return { jobName, adoptable: false, reason: `differs from what the service rendered (fingerprint ${found}, event log ${state.job.fingerprint})` }
  }
  return { jobName, adoptable: true, reason: 'registered in the event log with this exact fingerprint', fingerprint: found }
}

const leaseHeld = (jobName: string): AdoptCandidate => ({
  jobName,
  adoptable: false,
  reason: `the lease of service ${jobName} is held (the running service is working on it): run adopt again`,
  adopted: false,
})

/** Under the lease: judged on the log as it is now; the writer checks the fingerprint again at write time. */
const adoptOne = async (deps: AdoptDeps, jobName: string, item: unknown): Promise<AdoptCandidate> => {
  const verdict = await judge(deps.store, jobName, item)
  if (verdict.fingerprint === undefined) return { jobName, adoptable: verdict.adoptable, reason: verdict.reason, adopted: false }
  const outcome = await firstValueFrom(deps.secretWriter.submit({ op: 'adopt', jobName, fingerprint: verdict.fingerprint }))
  return outcome.ok ? { jobName, adoptable: true, reason: verdict.reason, adopted: true } : { jobName, adoptable: true, reason: outcome.reason, adopted: false }
}

export const adopt = async (deps: AdoptDeps, options: { readonly dryRun: boolean; readonly serviceId?: string }): Promise<AdoptReport> => {
  const parts = listAndRecord(await readScrapeSecret(deps.secretClient))
  if (isLeft(parts)) throw new Error(parts.left)
  const { items, owned } = parts.right
  const candidates: AdoptCandidate[] = []
  for (const { jobName, value: item } of items) {
    if (jobName === undefined || owned.has(jobName)) continue
    if (options.serviceId !== undefined && jobName !== options.serviceId) continue
    if (options.dryRun) {
      const verdict = await judge(deps.store, jobName, item)
      candidates.push({ jobName, adoptable: verdict.adoptable, reason: verdict.reason, adopted: false })
      continue
    }
    candidates.push(await deps.lease.holding([jobName], (held) => (held.length === 0 ? Promise.resolve(leaseHeld(jobName)) : adoptOne(deps, jobName, item))))
  }
  return { dryRun: options.dryRun, candidates }
}

export const adoptFailed = (report: AdoptReport): boolean => report.candidates.some((c) => !c.adoptable || (!report.dryRun && !c.adopted))

export const formatAdopt = (report: AdoptReport): string => {
  const lines = report.candidates.map((c) => `${c.adopted ? 'adopted' : c.adoptable ? 'adoptable' : 'NOT adoptable'}  ${c.jobName}: ${c.reason}`)
  const adopted = report.candidates.filter((c) => c.adopted).length
  const summary = `${report.candidates.length} job(s) not owned by the service${report.dryRun ? ', dry run, nothing changed' : `, ${adopted} adopted`}`
  return [...lines, summary].join('\n')
}
