/**
 * The ScrapeConfig backend of the scrape-targets port: an upsert applies the service's own
 * ScrapeConfig, a remove deletes it (never somebody else's). There is no shared object, so unlike
 * the secret writer nothing is batched: services write in parallel, at most `maxInFlight`
 * apiserver calls at once, and the lanes keep one service's edits in order.
 *
 * Transient answers (5xx, 429, timeouts, a lost uid precondition) are retried a few times here,
 * then reported retryable so the request's patience (retryAt, REQUEST_DEADLINE) takes over.
 */
import { defer, type Observable } from 'rxjs'
import { createSemaphore } from '../../../operators/semaphore.js'
import { backoffDelay } from '../../../support/backoff.js'
import { KubeErrorException, noAnswer } from '../kube-error.js'
import { KUBE_WRITE_BACKOFF } from '../kube-write-backoff.js'
import { fingerprintInPlace, type JobEdit } from '../../prometheus/owned-list-edits.js'
import { scrapeJobOf } from './scrape-job-of-scrape-config.js'
import { ForeignScrapeConfigError, LostMarkError, type LostMark, type ScrapeConfigApplier } from './scrape-config-applier.js'
import type { JobEditOutcome, ScrapeTargets } from '../scrape-targets.js'

export interface ScrapeConfigWriterOptions {
  readonly applier: ScrapeConfigApplier
  /** apiserver calls in flight at once (each edit is a GET plus an apply or delete) */
  readonly maxInFlight: number
  readonly maxAttempts?: number
  readonly sleep?: (ms: number) => Promise<void>
  readonly random?: () => number
  /** told of every attempt: for metrics */
  readonly onAttempt?: (op: JobEdit['op'], outcome: 'ok' | 'retried' | 'failed') => void
}

/** What one failed call means: give up now (with why), or try again. */
const verdict = (error: unknown): { readonly retry: boolean; readonly reason: string; readonly retryAfterMs?: number } => {
  if (error instanceof ForeignScrapeConfigError || error instanceof LostMarkError) return { retry: false, reason: error.message }
  if (!(error instanceof KubeErrorException)) return { retry: false, reason: `unexpected error writing a ScrapeConfig: ${String(error)}` }
  const { kind, message, retryAfterMs } = error.error
  // a 409 here is a lost precondition (the object changed between GET and write): read again
  const retry = kind === 'retryable' || kind === 'conflict'
  return {
    retry,
    reason: `Kubernetes refused the ScrapeConfig ${retry ? 'write' : 'update'}: ${message}`,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  }
}

export const createScrapeConfigWriter = (options: ScrapeConfigWriterOptions): ScrapeTargets => {
  const slots = createSemaphore(options.maxInFlight)
  const maxAttempts = options.maxAttempts ?? 4
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  const random = options.random ?? Math.random

  /** An operator command's edit: refused when the service's object is no longer the one it planned with. */
  const changedSincePlanned = async (edit: JobEdit): Promise<string | undefined> => {
    if (edit.op === 'adopt' || edit.expect === undefined) return undefined
    const jobName = edit.op === 'upsert' ? edit.job.job_name : edit.jobName
    const current = await options.applier.read(jobName)
    if (current === 'foreign') return undefined // apply and remove refuse or leave it themselves
    const found = fingerprintInPlace(current === undefined ? undefined : (scrapeJobOf(current) ?? { scrapeConfigSpec: current.spec }))
    return found === edit.expect
      ? undefined
      : `the ScrapeConfig of job ${jobName} changed since it was planned (fingerprint ${found ?? 'none, absent'}, planned with ${edit.expect ?? 'none, absent'}); nothing was changed`
  }

  const once = async (edit: JobEdit, lostMark: (lost: LostMark) => void): Promise<JobEditOutcome> => {
    const changed = await changedSincePlanned(edit)
    if (changed !== undefined) return { ok: false, reason: changed, retryable: false }
    switch (edit.op) {
      case 'upsert':
        await options.applier.apply(edit.job, edit.recorded, lostMark)
        return { ok: true, changed: true, wasPresent: true }
      case 'remove': {
        const removed = await options.applier.remove(edit.jobName, edit.recorded, lostMark)
        // a foreign object of that name is left alone, exactly like a foreign job in the secret
        return { ok: true, changed: removed === 'removed', wasPresent: removed === 'removed' }
      }
      case 'adopt':
        return { ok: false, reason: "adopt applies to the secret backend: a ScrapeConfig is the service's own by its label and annotation", retryable: false }
    }
  }

  const attempt = async (edit: JobEdit): Promise<JobEditOutcome> => {
    // a call of this edit that got no answer may have been its write, and may have landed (the read
    // before it is not told apart: taking back a write that did not land finds nothing)
    let unanswered = false
    const landed = () => (unanswered ? { mayHaveLanded: true as const } : {})
    for (let n = 1; ; n += 1) {
      const release = await slots.acquire()
      let failure: ReturnType<typeof verdict>
      let lost: LostMark | undefined
      const lostRecord = () => (lost === undefined ? {} : { lostRecord: lost.text })
      try {
        const outcome = await once(edit, (found) => (lost = found))
        options.onAttempt?.(edit.op, outcome.ok ? 'ok' : 'failed')
        return { ...outcome, ...lostRecord() }
      } catch (error) {
        failure = verdict(error)
        if (error instanceof KubeErrorException && noAnswer(error.error)) unanswered = true
      } finally {
        release()
      }
      const retry = failure.retry && n < maxAttempts
      options.onAttempt?.(edit.op, retry ? 'retried' : 'failed')
      if (!failure.retry) return { ok: false, reason: failure.reason, retryable: false, ...lostRecord(), ...landed() }
      if (!retry) return { ok: false, reason: `${failure.reason} (after ${maxAttempts} attempts)`, retryable: true, ...landed() }
      await sleep(backoffDelay(n - 1, KUBE_WRITE_BACKOFF, random, failure.retryAfterMs))
    }
  }

  return { submit: (edit): Observable<JobEditOutcome> => defer(() => attempt(edit)) }
}
