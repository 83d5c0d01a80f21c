/**
 * migrate's pure half: what to do with one service's job (move it, it is already there, or skip
 * it and why), and the report, its summary, text and exit code. The calls live in migrate.ts.
 *
 * A job is moved only when the event log agrees it is the service's current job: a deleted
 * service (no job in the log) is never brought back, a busy one is left to the running service,
 * and a job that is not exactly what the log recorded is left for `reconcile`.
 */
import { isLeft } from 'fp-ts/lib/Either.js'
import type { ScrapeConfigResource } from '../../codecs/apis/scrape-config.js'
import { decodeServiceJob } from '../../effects/prometheus/scrape-job-codec.js'
import { jobFingerprint, type ScrapeJob } from '../../effects/prometheus/scrape-job.js'
import { scrapeJobOfScrapeConfig } from '../../effects/kube/scrapeconfig/scrape-job-of-scrape-config.js'
import type { ServiceState } from '../../state/service-state.js'
import { isBusy } from '../reconcile/drift.js'

export type MigrateTarget = 'scrapeconfig' | 'secret'

export type SkipKind = 'foreign' | 'undecodable' | 'deleted' | 'busy' | 'drift'

export type ServiceOutcome =
  | { readonly serviceId: string; readonly outcome: 'moved' | 'would-move' }
  /** the target already held this exact job; only the source copy was (or would be) removed */
  | { readonly serviceId: string; readonly outcome: 'already-there' }
  | { readonly serviceId: string; readonly outcome: 'skipped'; readonly kind: SkipKind; readonly reason: string }
  | { readonly serviceId: string; readonly outcome: 'failed'; readonly reason: string }
  /** not moved because the secret is full: it stays where it was */
  | { readonly serviceId: string; readonly outcome: 'left'; readonly reason: string }

export interface MigrateReport {
  readonly to: MigrateTarget
  readonly dryRun: boolean
  readonly services: readonly ServiceOutcome[]
  /** why moving stopped early (the secret is full), or null */
  readonly full: string | null
}

export type Plan =
  | { readonly kind: 'move'; readonly job: ScrapeJob }
  | { readonly kind: 'already-there'; readonly job: ScrapeJob }
  | { readonly kind: 'skip'; readonly skip: SkipKind; readonly reason: string }

const skip = (kind: SkipKind, reason: string): Plan => ({ kind: 'skip', skip: kind, reason })

/** The log's verdict before looking at the job itself: deleted and busy services are not moved. */
const logVerdict = (state: ServiceState, serviceId: string): Plan | undefined => {
  if (state.status === 'deleted' || state.job === null || state.job.jobName !== serviceId) {
    return skip(
      'deleted',
      `the event log of service ${serviceId} has no registered job (deleted, or never created here): not moved; reconcile removes what it left behind`,
    )
  }
  if (isBusy(state)) return skip('busy', `service ${serviceId} has requests in progress (the running service is on it): run migrate again`)
  return undefined
}

const driftVerdict = (state: ServiceState, job: ScrapeJob): Plan | undefined => {
  const found = jobFingerprint(job)
  return state.job !== null && state.job.fingerprint !== found
    ? skip('drift', `differs from the job the event log recorded (fingerprint ${found}, event log ${state.job.fingerprint}): run reconcile first`)
    : undefined
}

/** --to scrapeconfig: an owned item of the secret, the log's state, and the service's own ScrapeConfig if any. */
export const planToScrapeConfig = (serviceId: string, item: unknown, state: ServiceState, own: ScrapeConfigResource | undefined): Plan => {
  const early = logVerdict(state, serviceId)
  if (early !== undefined) return early
  const job = decodeServiceJob(item, serviceId)
  if (isLeft(job)) return skip('undecodable', `the secret's job ${job.left}: run reconcile first`)
  const drift = driftVerdict(state, job.right)
  if (drift !== undefined) return drift
  if (own !== undefined) {
    const there = scrapeJobOfScrapeConfig(own)
    if (!isLeft(there) && jobFingerprint(there.right) === jobFingerprint(job.right)) return { kind: 'already-there', job: job.right }
  }
  return { kind: 'move', job: job.right }
}

/** What the secret holds under a job_name: nothing, the service's own item, or somebody else's. */
export type SecretHolding = { readonly owned: boolean; readonly value: unknown } | undefined

/** --to secret: an own ScrapeConfig, the log's state, and what the secret holds under its name. */
export const planToSecret = (serviceId: string, resource: ScrapeConfigResource, state: ServiceState, held: SecretHolding): Plan => {
  const early = logVerdict(state, serviceId)
  if (early !== undefined) return early
  const job = scrapeJobOfScrapeConfig(resource)
  if (isLeft(job)) return skip('undecodable', `${job.left}: run reconcile first`)
  const drift = driftVerdict(state, job.right)
  if (drift !== undefined) return drift
  if (held !== undefined && !held.owned)
    return skip('foreign', `the secret holds a job named ${serviceId} that this service did not create: left as a ScrapeConfig`)
  if (held !== undefined && jobFingerprint(held.value) === jobFingerprint(job.right)) return { kind: 'already-there', job: job.right }
  return { kind: 'move', job: job.right }
}

export interface MigrateSummary {
  readonly moved: number
  readonly alreadyThere: number
  readonly wouldMove: number
  readonly skipped: number
  readonly skippedBy: Readonly<Record<SkipKind, number>>
  readonly failed: number
  readonly left: number
}

export const summarize = (report: MigrateReport): MigrateSummary => {
  const count = (outcome: ServiceOutcome['outcome']) => report.services.filter((s) => s.outcome === outcome).length
  const skippedBy: Record<SkipKind, number> = { foreign: 0, undecodable: 0, deleted: 0, busy: 0, drift: 0 }
  for (const s of report.services) if (s.outcome === 'skipped') skippedBy[s.kind] += 1
  return {
    moved: count('moved'),
    alreadyThere: count('already-there'),
    wouldMove: count('would-move'),
    skipped: count('skipped'),
    skippedBy,
    failed: count('failed'),
    left: count('left'),
  }
}

/**
 * --dry-run (like reconcile's): 0 nothing to do, 2 something would change. Otherwise 0 only when
 * every job the service owns is now in the target; 1 when anything was skipped, failed or left
 * behind by a full secret (the operator has something to look at; re-running is always safe).
 */
export const migrateExitCode = (report: MigrateReport): number => {
  const s = summarize(report)
  if (report.dryRun) return s.wouldMove + s.alreadyThere > 0 ? 2 : 0
  return s.skipped + s.failed + s.left > 0 || report.full !== null ? 1 : 0
}

const KIND_LABEL: Readonly<Record<SkipKind, string>> = {
  foreign: 'foreign object of the same name',
  undecodable: 'not the service job shape',
  deleted: 'deleted service',
  busy: 'requests in progress',
  drift: 'differs from the event log',
}

const lineOf = (s: ServiceOutcome, dryRun: boolean): string | undefined => {
  switch (s.outcome) {
    case 'would-move':
      return `would move     ${s.serviceId}`
    case 'already-there':
      return dryRun ? `already there  ${s.serviceId} (only its old copy would be removed)` : undefined
    case 'moved':
      return undefined // thousands of them: the summary counts them
    case 'skipped':
      return `skipped        ${s.serviceId} (${KIND_LABEL[s.kind]}): ${s.reason}`
    case 'failed':
      return `FAILED         ${s.serviceId}: ${s.reason}`
    case 'left':
      return `left           ${s.serviceId}: ${s.reason}`
  }
}

export const formatMigrate = (report: MigrateReport): string => {
  const s = summarize(report)
  const lines = report.services.map((service) => lineOf(service, report.dryRun)).filter((l): l is string => l !== undefined)
  const reasons = (Object.keys(s.skippedBy) as SkipKind[]).filter((k) => s.skippedBy[k] > 0).map((k) => `${KIND_LABEL[k]} ${s.skippedBy[k]}`)
  const skipped = `skipped ${s.skipped}${reasons.length > 0 ? ` (${reasons.join(', ')})` : ''}`
  const head = report.dryRun
    ? `migrate --to ${report.to}, dry run, nothing changed: would move ${s.wouldMove}, already there ${s.alreadyThere}, ${skipped}`
    : `migrate --to ${report.to}: moved ${s.moved}, already there ${s.alreadyThere}, ${skipped}, failed ${s.failed}${s.left > 0 ? `, left ${s.left}` : ''}`
  const full =
    report.full === null
      ? []
      : [`STOPPED: ${report.full}; ${s.left} job(s) stay as ScrapeConfigs (make room in the secret, then run migrate --to secret again)`]
  return [...lines, ...full, head].join('\n')
}

export const migrateJson = (report: MigrateReport): Record<string, unknown> => ({
  to: report.to,
  dryRun: report.dryRun,
  summary: summarize(report),
  full: report.full,
  services: report.services,
})
