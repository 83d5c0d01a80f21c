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
import type { ResultRecord } from '../codecs/events.js'
import { decodeRequestMessage, type RequestMessage } from '../codecs/request-message.js'
import { rejectionRecords } from '../effects/dead-letter.js'
import type { EventStore, InboxEntry, InboxOutcome } from '../state/store/event-store.js'
import type { ResultContext } from '../state/result-message.js'
import type { Delivery, IncomingBatch } from './kafka/kafka-source.js'

export interface IngestDeps {
  readonly store: EventStore
  readonly sendRecords: (records: readonly ResultRecord[]) => Promise<void>
  readonly now: () => Date
  readonly deadLetterTopic: string
  readonly maxMessageBytes: number
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

/**
 * The Kafka record timestamp as ISO time, when it is a sane number (it orders a service's queue).
 * A timestamp later than the moment we received the record is a producer's broken clock: it counts
 * as the receive time, or one such request would supersede every later one for years.
 */
const publishedAtOf = (delivery: Delivery, receivedMs: number): { publishedAt?: string } => {
  const ms = Number(delivery.timestamp)
  return delivery.timestamp === undefined || !Number.isFinite(ms) || ms <= 0 ? {} : { publishedAt: new Date(Math.min(ms, receivedMs)).toISOString() }
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
    accepted: { ...meta, type: 'RequestAccepted', request, kogito: message.kogito, origin, ...publishedAtOf(delivery, Date.parse(at)) },
    redelivered: { ...meta, type: 'RequestRedelivered', origin },
  }
}

const recordBatch = async (batch: IncomingBatch, deps: IngestDeps): Promise<IngestReport> => {
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
  const [accepted] = await Promise.all([deps.store.accept(entries, at.getTime()), rejections.length > 0 ? deps.sendRecords(rejections) : undefined])
  return { topic: batch.topic, partition: batch.partition, accepted, rejected: batch.deliveries.length - entries.length }
}

const recordWithRetry = async (batch: IncomingBatch, deps: IngestDeps): Promise<IngestReport> => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await recordBatch(batch, deps)
    } catch (error) {
      if (attempt >= deps.maxAttempts || !batch.isActive()) throw error
      deps.onRetry?.(error, attempt)
      await deps.sleep(Math.min(5000, 100 * 2 ** attempt))
      await batch.heartbeat().catch(() => undefined)
    }
  }
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
