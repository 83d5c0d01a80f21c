/**
 * ingest$: the inbox. Each Kafka batch is decoded; valid requests are recorded in their
 * services' event logs (deduped on the CloudEvent id), invalid ones are dead-lettered (and
 * answered with FAILURE when possible). Only when both are durable is the batch settled, which
 * commits its offset. Emits the services that got new work, to wake their lanes.
 *
 * A batch that cannot be recorded (Redis down) is retried with backoff while the consumer keeps
 * its group membership; consumption of that partition pauses meanwhile. Never errors: a batch
 * that still fails is settled with the error, so kafkajs re-delivers it from the last commit.
 */
import {
  EMPTY,
  catchError,
  concat,
  concatMap,
  defaultIfEmpty,
  defer,
  forkJoin,
  from,
  ignoreElements,
  map,
  mergeMap,
  of,
  retry,
  throwError,
  type Observable,
  type ObservableInput,
} from 'rxjs'
import { isLeft } from 'fp-ts/lib/Either.js'
import { requestAccepted, requestRedelivered, type OutgoingRecord } from '../codecs/events.js'
import { decodeAtTheDoor } from '../codecs/at-the-door.js'
import type { JobBytes, RequestLimits } from '../codecs/limits.js'
import type { RequestMessage } from '../codecs/request-message.js'
import { rejectionRecords } from './kafka/dead-letter.js'
import type { InboxEntry, InboxOutcome } from '../state/store/event-store.js'
import type { ResultContext } from '../state/result-message.js'
import type { Delivery, IncomingBatch } from './kafka/kafka-source.js'
import { traceHeaders, type TraceContext } from '../support/tracing/trace-context.js'
import { backoffDelay, type Backoff } from '../support/backoff.js'
import { consumeSpans, type ConsumedTrace, type ConsumeSpanOptions } from './consume-spans.js'

/**
 * The deps' calls are ObservableInputs so marble specs can stand in cold observables; production
 * passes the EventStore and Promise-returning functions, which fit.
 */
/** Attempts to record one Kafka batch before it is handed back to kafkajs unsettled (kafkajs then re-fetches it). */
export const RECORD_BATCH_MAX_ATTEMPTS = 20

export interface IngestDeps {
  readonly store: {
    accept(entries: readonly InboxEntry[], nowMs: number): ObservableInput<readonly InboxOutcome[]>
    /** whether each request id is in its service's inbox; a request refused by a limit but accepted before is a redelivery */
    seen(requests: readonly { readonly serviceId: string; readonly requestId: string }[]): ObservableInput<readonly boolean[]>
  }
  /** per record: undefined = out (or dead-lettered in its place), an Error = retry it; void = all out */
  readonly sendRecords: (records: readonly OutgoingRecord[]) => ObservableInput<readonly (Error | undefined)[] | void>
  readonly now: () => Date
  readonly deadLetterTopic: string
  /** limits at the door; over one, a request is rejected like an undecodable one */
  readonly limits: RequestLimits
  /** the rendered size of a create's job (effects/prometheus/job-size.ts) */
  readonly jobBytes: JobBytes
  /** the broker's limit: no dead letter is larger (KAFKA_MAX_RECORD_BYTES) */
  readonly maxRecordBytes: number
  readonly results: ResultContext
  readonly sleep: (ms: number) => ObservableInput<void>
  /** attempts per batch before it is handed back to kafkajs unsettled */
  readonly maxAttempts: number
  /** `trace`: the rejected record's context (its consumer span), for the log line */
  readonly onRejected?: (delivery: Delivery, reason: string, trace?: TraceContext) => void
  readonly onRetry?: (error: unknown, attempt: number) => void
  /** the consumer spans and where a request's trace context comes from; none: no context is read */
  readonly tracing?: ConsumeSpanOptions
}

export interface IngestReport {
  readonly topic: string
  readonly partition: number
  readonly accepted: readonly InboxOutcome[]
  readonly rejected: number
}

/**
 * The Kafka record timestamp as ISO time, when it is a sane number (it orders a service's queue).
 * A timestamp later than the moment we received the record is a producer's broken clock: it counts
 * as the receive time, or one such request would supersede every later one for years.
 */
const publishedAtOf = (delivery: Delivery, receivedMs: number): { publishedAt?: string } => {
  const ms = Number(delivery.timestamp)
  return delivery.timestamp === undefined || !Number.isFinite(ms) || ms <= 0 ? {} : { publishedAt: new Date(Math.min(ms, receivedMs)).toISOString() }
}

const inboxEntry = (delivery: Delivery, message: RequestMessage, at: string, traced: ConsumedTrace): InboxEntry => {
  const requestId = message.envelope.id
  const origin = `${delivery.topic}/${delivery.partition}@${delivery.offset}`
  const request =
    message.kind === 'create'
      ? { kind: message.kind, payload: message.payload }
      : message.kind === 'platform'
        ? { kind: message.kind, payload: message.payload }
        : { kind: message.kind, payload: message.payload }
  return {
    serviceId: message.payload.serviceId,
    accepted: requestAccepted({ requestId, at, request, kogito: message.kogito, origin, ...publishedAtOf(delivery, Date.parse(at)), ...traced }),
    redelivered: requestRedelivered({ requestId, at, origin }),
  }
}

/** Completes-then-emits-once: forkJoin and retry need a value, a Promise<void> or a fake may give none. */
const done$ = (input: ObservableInput<unknown>): Observable<undefined> => concat(from(input).pipe(ignoreElements()), of(undefined))

/** Redis is one process the whole batch waits on: no jitter, 200 ms doubling to 5 s (rxjs counts retries from 1). */
const INBOX_BACKOFF: Backoff = { baseDelayMs: 200, maxDelayMs: 5000, jitter: 'none' }

/** One half of a batch, retried with backoff while the consumer still owns the partition; the heartbeat keeps the group membership. */
const retrying$ = <A>(batch: IncomingBatch, deps: IngestDeps, attempt$: () => Observable<A>): Observable<A> =>
  defer(attempt$).pipe(
    retry({
      delay: (error: unknown, attempt) => {
        if (attempt >= deps.maxAttempts || !batch.isActive()) return throwError(() => error)
        deps.onRetry?.(error, attempt)
        return done$(deps.sleep(backoffDelay(attempt - 1, INBOX_BACKOFF))).pipe(
          concatMap(() => defer(() => done$(batch.heartbeat())).pipe(catchError(() => of(undefined)))),
        )
      },
    }),
  )

/**
 * The two halves are retried apart: an inbox append that succeeded is never repeated because a
 * dead letter failed (a repeat is a redelivery, which is answered again), and of the dead letters
 * and FAILURE results only those not yet out are sent again.
 */
const recordWithRetry$ = (batch: IncomingBatch, deps: IngestDeps): Observable<IngestReport> =>
  defer(() => {
    const at = deps.now()
    const iso = at.toISOString()
    const decoded = batch.deliveries.map((delivery) => ({ delivery, result: decodeAtTheDoor(delivery, deps.limits, deps.jobBytes) }))
    // One result per request id: a request refused by a limit that was looser when it was first
    // accepted (a redelivery after the limit was tightened) is a redelivery, answered as before.
    const overLimit = decoded.flatMap(({ result }) => (isLeft(result) && result.left.overLimit !== undefined ? [result.left.overLimit] : []))
    const seen$ =
      overLimit.length === 0
        ? of([] as readonly boolean[])
        : retrying$(batch, deps, () => from(deps.store.seen(overLimit.map((m) => ({ serviceId: m.payload.serviceId, requestId: m.envelope.id })))))
    const spans = consumeSpans(deps.tracing, batch.deliveries.length)
    return seen$.pipe(
      concatMap((seen) => {
        const known = new Set(overLimit.filter((_, i) => seen[i] === true))
        const entries: InboxEntry[] = []
        let unsent: OutgoingRecord[] = []
        for (const { delivery, result } of decoded) {
          if (!isLeft(result)) entries.push(inboxEntry(delivery, result.right, iso, spans.accepted(delivery, result.right)))
          else if (result.left.overLimit !== undefined && known.has(result.left.overLimit)) {
            entries.push(inboxEntry(delivery, result.left.overLimit, iso, spans.accepted(delivery, result.left.overLimit)))
          } else {
            const trace = spans.rejected(delivery, undefined, result.left.reason)
            deps.onRejected?.(delivery, result.left.reason, trace)
            const headers = traceHeaders(trace)
            const records = rejectionRecords(delivery, result.left, deps.deadLetterTopic, iso, deps.results, deps.maxRecordBytes)
            unsent.push(...(headers === undefined ? records : records.map((record) => ({ ...record, headers }))))
          }
        }
        const sendRejections$ = retrying$(batch, deps, () =>
          unsent.length === 0
            ? of(undefined)
            : from(deps.sendRecords(unsent)).pipe(
                defaultIfEmpty(undefined),
                map((outcomes) => {
                  unsent = outcomes === undefined ? [] : unsent.filter((_, i) => outcomes[i] !== undefined)
                  if (unsent.length > 0) throw new Error(`${unsent.length} dead letter(s) or FAILURE result(s) not sent`)
                  return undefined
                }),
              ),
        )
        const accepted$ = retrying$(batch, deps, () => from(deps.store.accept(entries, at.getTime())))
        // the inbox and the dead letters are written at the same time; the batch is done when both are
        return forkJoin([accepted$, sendRejections$]).pipe(
          map(([accepted]): IngestReport => {
            spans.end(accepted)
            return { topic: batch.topic, partition: batch.partition, accepted, rejected: batch.deliveries.length - entries.length }
          }),
        )
      }),
      catchError((error: unknown) => {
        spans.end(undefined, error)
        return throwError(() => error)
      }),
    )
  })

export const ingest$ = (batch$: Observable<IncomingBatch>, deps: IngestDeps): Observable<IngestReport> =>
  batch$.pipe(
    // batches of different partitions are recorded concurrently; kafkajs never hands us two of one partition at once
    mergeMap((batch) =>
      recordWithRetry$(batch, deps).pipe(
        mergeMap((report) => {
          batch.settle()
          return [report]
        }),
        catchError((error: unknown) => {
          batch.settle(error)
          return EMPTY
        }),
      ),
    ),
  )
