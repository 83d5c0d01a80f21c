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
import { EMPTY, catchError, concat, concatMap, defer, forkJoin, from, ignoreElements, map, mergeMap, of, retry, throwError, type Observable, type ObservableInput } from 'rxjs'
import { isLeft } from 'fp-ts/lib/Either.js'
import type { ResultRecord } from '../codecs/events.js'
import { decodeRequestMessage, type RequestMessage } from '../codecs/request-message.js'
import { rejectionRecords } from '../effects/dead-letter.js'
import type { InboxEntry, InboxOutcome } from '../state/store/event-store.js'
import type { ResultContext } from '../state/result-message.js'
import type { Delivery, IncomingBatch } from './kafka/kafka-source.js'

/**
 * The deps' calls are ObservableInputs so marble specs can stand in cold observables; production
 * passes the EventStore and Promise-returning functions, which fit.
 */
export interface IngestDeps {
  readonly store: { accept(entries: readonly InboxEntry[], nowMs: number): ObservableInput<readonly InboxOutcome[]> }
  readonly sendRecords: (records: readonly ResultRecord[]) => ObservableInput<void>
  readonly now: () => Date
  readonly deadLetterTopic: string
  readonly maxMessageBytes: number
  readonly results: ResultContext
  readonly sleep: (ms: number) => ObservableInput<void>
  /** attempts per batch before it is handed back to kafkajs unsettled */
  readonly maxAttempts: number
  readonly onRejected?: (delivery: Delivery, reason: string) => void
  readonly onRetry?: (error: unknown, attempt: number) => void
}

export interface IngestReport {
  readonly topic: string
  readonly partition: number
  readonly accepted: readonly InboxOutcome[]
  readonly rejected: number
}

/** The Kafka record timestamp as ISO time, when it is a sane number (it orders a service's queue). */
const publishedAtOf = (delivery: Delivery): { publishedAt?: string } => {
  const ms = Number(delivery.timestamp)
  return delivery.timestamp === undefined || !Number.isFinite(ms) || ms <= 0 ? {} : { publishedAt: new Date(ms).toISOString() }
}

const inboxEntry = (delivery: Delivery, message: RequestMessage, at: string): InboxEntry => {
  const meta = { v: 1, requestId: message.envelope.id, at } as const
  const origin = `${delivery.topic}/${delivery.partition}@${delivery.offset}`
  const request =
    message.kind === 'create' ? { kind: message.kind, payload: message.payload }
    : message.kind === 'platform' ? { kind: message.kind, payload: message.payload }
    : { kind: message.kind, payload: message.payload }
  return {
    serviceId: message.payload.serviceId,
    accepted: { ...meta, type: 'RequestAccepted', request, kogito: message.kogito, origin, ...publishedAtOf(delivery) },
    redelivered: { ...meta, type: 'RequestRedelivered', origin },
  }
}

/** Completes-then-emits-once: forkJoin and retry need a value, a Promise<void> or a fake may give none. */
const done$ = (input: ObservableInput<unknown>): Observable<undefined> => concat(from(input).pipe(ignoreElements()), of(undefined))

const recordBatch$ = (batch: IncomingBatch, deps: IngestDeps): Observable<IngestReport> =>
  defer(() => {
    const at = deps.now()
    const iso = at.toISOString()
    const entries: InboxEntry[] = []
    const rejections: ResultRecord[] = []
    for (const delivery of batch.deliveries) {
      const decoded = decodeRequestMessage(delivery.topic, delivery.value, deps.maxMessageBytes)
      if (isLeft(decoded)) {
        deps.onRejected?.(delivery, decoded.left.reason)
        rejections.push(...rejectionRecords(delivery, decoded.left, deps.deadLetterTopic, iso, deps.results))
      } else {
        entries.push(inboxEntry(delivery, decoded.right, iso))
      }
    }
    // the inbox and the dead letters are written at the same time; the batch is done when both are
    const sent$ = rejections.length > 0 ? defer(() => done$(deps.sendRecords(rejections))) : of(undefined)
    return forkJoin([from(deps.store.accept(entries, at.getTime())), sent$]).pipe(
      map(([accepted]): IngestReport => ({ topic: batch.topic, partition: batch.partition, accepted, rejected: batch.deliveries.length - entries.length })),
    )
  })

/** Retried with backoff while the consumer still owns the partition; the heartbeat keeps the group membership. */
const recordWithRetry$ = (batch: IncomingBatch, deps: IngestDeps): Observable<IngestReport> =>
  recordBatch$(batch, deps).pipe(
    retry({
      delay: (error: unknown, attempt) => {
        if (attempt >= deps.maxAttempts || !batch.isActive()) return throwError(() => error)
        deps.onRetry?.(error, attempt)
        return done$(deps.sleep(Math.min(5000, 100 * 2 ** attempt))).pipe(
          concatMap(() => defer(() => done$(batch.heartbeat())).pipe(catchError(() => of(undefined)))),
        )
      },
    }),
  )

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
