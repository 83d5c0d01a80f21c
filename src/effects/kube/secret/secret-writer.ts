/**
 * The secret writer: the ONE place in the process that edits the scrape-config secret.
 *
 * Every lane submits its edit here; a single subscription runs them through `groupCommit`, so at
 * most one write is in flight and everything queued meanwhile goes into the next write. Each
 * submitter is told the outcome of the write that carried its edit. Across processes (two
 * replicas), the secret's resourceVersion makes a concurrent write fail with 409, and the batch
 * is re-read and re-applied, so nobody's job is ever dropped.
 */
import { Observable, Subject, catchError, from, map, mergeMap, of, type ObservableInput, type Subscription } from 'rxjs'
import { groupCommit } from '../../../operators/group-commit.js'
import type { SecretClient } from './kube-secret-client.js'
import type { JobEdit } from '../../prometheus/owned-list-edits.js'
import { writeBatch, type BatchReport, type BatchWriteDeps, type JobEditOutcome } from './secret-batch-write.js'
import type { TraceContext } from '../../../support/tracing/trace-context.js'
import { NO_TRACING, type Tracing } from '../../../support/tracing/tracing.js'
import { tracedWrite } from './traced-write.js'

export type { JobEditOutcome, BatchReport }

export interface QueuedEdit {
  readonly edit: JobEdit
  readonly reply: (outcome: JobEditOutcome) => void
  /** the submitting step's context: the batch's write span links to it */
  readonly trace?: TraceContext
}

export interface SecretWriterStats {
  writes: number
  batches: number
  editsSubmitted: number
  conflicts: number
  inFlight: number
  maxInFlight: number
  lastBytes: number
}

/** The epic: queued in, one report per batch out; batches never overlap. */
export const secretWrites$ = (
  queued$: Observable<QueuedEdit>,
  // ObservableInput, not just Promise: marble specs stand in a cold observable for the Kubernetes write
  write: (edits: readonly JobEdit[]) => ObservableInput<{ outcomes: readonly JobEditOutcome[]; report: BatchReport }>,
  maxBatch?: number,
  tracing: Tracing = NO_TRACING,
): Observable<BatchReport> =>
  queued$.pipe(
    groupCommit(
      (queued) =>
        tracedWrite(tracing, queued, () => from(write(queued.map((t) => t.edit)))).pipe(
          map(({ outcomes, report }) => {
            queued.forEach((entry, i) => entry.reply(outcomes[i] ?? { ok: false, reason: 'no outcome', retryable: true }))
            return report
          }),
          // last resort: writeBatch turns every known failure into outcomes; anything else must still answer every waiter
          catchError((error: unknown) => {
            const reason = `secret write crashed: ${String(error)}`
            queued.forEach((entry) => entry.reply({ ok: false, reason, retryable: true }))
            return of<BatchReport>({ edits: queued.length, written: false, attempts: 1, conflicts: 0, bytes: 0, error: reason })
          }),
        ),
      maxBatch,
    ),
  )

export interface SecretWriter {
  /** Cold: submits on subscribe, emits the outcome of the write that carried this edit, completes (see ScrapeTargets.submit). */
  submit(edit: JobEdit, trace?: TraceContext): Observable<JobEditOutcome>
  readonly stats: Readonly<SecretWriterStats>
  readonly reports$: Observable<BatchReport>
  close(): void
}

export interface SecretWriterOptions {
  readonly client: SecretClient
  readonly describe: string
  readonly maxAttempts?: number
  readonly maxBatch?: number
  readonly sleep?: (ms: number) => Promise<void>
  readonly random?: () => number
  readonly tracing?: Tracing
}

export const createSecretWriter = (options: SecretWriterOptions): SecretWriter => {
  const queued = new Subject<QueuedEdit>()
  const reports = new Subject<BatchReport>()
  const stats: SecretWriterStats = { writes: 0, batches: 0, editsSubmitted: 0, conflicts: 0, inFlight: 0, maxInFlight: 0, lastBytes: 0 }
  const deps: BatchWriteDeps = {
    client: options.client,
    describe: options.describe,
    maxAttempts: options.maxAttempts ?? 8,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    random: options.random ?? Math.random,
    cache: undefined,
  }
  const write = async (edits: readonly JobEdit[]) => {
    stats.inFlight += 1
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight)
    try {
      return await writeBatch(edits, deps)
    } finally {
      stats.inFlight -= 1
    }
  }
  const subscription: Subscription = secretWrites$(queued, write, options.maxBatch, options.tracing).subscribe((report) => {
    stats.batches += 1
    if (report.written) stats.writes += 1
    stats.conflicts += report.conflicts
    if (report.bytes > 0) stats.lastBytes = report.bytes
    reports.next(report)
  })
  return {
    submit: (edit, trace) =>
      new Observable<JobEditOutcome>((subscriber) => {
        stats.editsSubmitted += 1
        queued.next({
          edit,
          ...(trace === undefined ? {} : { trace }),
          reply: (outcome) => {
            subscriber.next(outcome)
            subscriber.complete()
          },
        })
      }),
    stats,
    reports$: reports.asObservable(),
    close: () => {
      queued.complete()
      subscription.unsubscribe()
      reports.complete()
    },
  }
}

/** Submit several edits, for callers that need all outcomes at once (reconcile). */
export const submitAll = (writer: SecretWriter, edits: readonly JobEdit[]): Observable<JobEditOutcome> =>
  from(edits).pipe(mergeMap((edit) => writer.submit(edit)))
