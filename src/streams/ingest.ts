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
import { EMPTY, catchError, defer, from, mergeMap, type Observable } from 'rxjs'
import { isLeft } from 'fp-ts/lib/Either.js'
import { requestAccepted, requestRedelivered, type ResultRecord } from '../codecs/events.js'
import { decodeAtTheDoor } from '../codecs/at-the-door.js'
import type { JobBytes, RequestLimits } from '../codecs/limits.js'
import type { RequestMessage } from '../codecs/request-message.js'
import { rejectionRecords } from '../effects/dead-letter.js'
import type { EventStore, InboxEntry, InboxOutcome } from '../state/store/event-store.js'
import type { ResultContext } from '../state/result-message.js'
import type { Delivery, IncomingBatch } from './kafka/kafka-source.js'

export interface IngestDeps {
  readonly store: EventStore
  /** per record: undefined = out (or dead-lettered in its place), an Error = retry it; void = all out */
  readonly sendRecords: (records: readonly ResultRecord[]) => Promise<readonly (Error | undefined)[] | void>
  readonly now: () => Date
  readonly deadLetterTopic: string
  /** limits at the door; over one, a request is rejected like an undecodable one */
  readonly limits: RequestLimits
  /** the rendered size of a create's job (effects/job-size.ts) */
  readonly jobBytes: JobBytes
  /** the broker's limit: no dead letter is larger (KAFKA_MAX_RECORD_BYTES) */
  readonly maxRecordBytes: number
  readonly results: ResultContext
  readonly sleep: (ms: number) => Promise<void>
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
  const requestId = message.envelope.id
  const origin = `${delivery.topic}/${delivery.partition}@${delivery.offset}`
  const request =
    message.kind === 'create' ? { kind: message.kind, payload: message.payload }
    : message.kind === 'platform' ? { kind: message.kind, payload: message.payload }
    : { kind: message.kind, payload: message.payload }
  return {
    serviceId: message.payload.serviceId,
    accepted: requestAccepted({ requestId, at, request, kogito: message.kogito, origin, ...publishedAtOf(delivery) }),
    redelivered: requestRedelivered({ requestId, at, origin }),
  }
}

/** Retries one step of a batch with backoff, heartbeating, while the batch is still ours. */
const withRetry = async <A>(batch: IncomingBatch, deps: IngestDeps, step: () => Promise<A>): Promise<A> => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await step()
    } catch (error) {
      if (attempt >= deps.maxAttempts || !batch.isActive()) throw error
      deps.onRetry?.(error, attempt)
      await deps.sleep(Math.min(5000, 100 * 2 ** attempt))
      await batch.heartbeat().catch(() => undefined)
    }
  }
}

/**
 * The two halves are retried apart: an inbox append that succeeded is never repeated because a
 * dead letter failed (a repeat is a redelivery, which is answered again), and of the dead letters
 * and FAILURE results only those not yet out are sent again.
 */
const recordWithRetry = async (batch: IncomingBatch, deps: IngestDeps): Promise<IngestReport> => {
  const at = deps.now()
  const iso = at.toISOString()
  const entries: InboxEntry[] = []
  let unsent: ResultRecord[] = []
  for (const delivery of batch.deliveries) {
    const decoded = decodeAtTheDoor(delivery, deps.limits, deps.jobBytes)
    if (isLeft(decoded)) {
      deps.onRejected?.(delivery, decoded.left.reason)
      unsent.push(...rejectionRecords(delivery, decoded.left, deps.deadLetterTopic, iso, deps.results, deps.maxRecordBytes))
    } else {
      entries.push(inboxEntry(delivery, decoded.right, iso))
    }
  }
  const sendRejections = withRetry(batch, deps, async () => {
    if (unsent.length === 0) return
    const outcomes = await deps.sendRecords(unsent)
    unsent = outcomes === undefined ? [] : unsent.filter((_, i) => outcomes[i] !== undefined)
    if (unsent.length > 0) throw new Error(`${unsent.length} dead letter(s) or FAILURE result(s) not sent`)
  })
  const accepted = withRetry(batch, deps, () => deps.store.accept(entries, at.getTime()))
  const [outcomes] = await Promise.all([accepted, sendRejections])
  return { topic: batch.topic, partition: batch.partition, accepted: outcomes, rejected: batch.deliveries.length - entries.length }
}

export const ingest$ = (batch$: Observable<IncomingBatch>, deps: IngestDeps): Observable<IngestReport> =>
  batch$.pipe(
    // batches of different partitions are recorded concurrently; kafkajs never hands us two of one partition at once
    mergeMap((batch) =>
      defer(() => from(recordWithRetry(batch, deps))).pipe(
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
