/**
 * kafkaBatches$: the kafkajs consumer as an Observable of batches.
 *
 * Inbox semantics live here: kafkajs hands us a batch, we emit it and WAIT until downstream
 * settles it (the requests are durable in Redis, rejects are dead-lettered); only then is the
 * batch's offset committed. A batch settled with an error is not committed: kafkajs retries it
 * and, after its retries, restarts the consumer from the last committed offset. Waiting here is
 * also the backpressure: the consumer fetches no further than the inbox can record.
 */
import { Observable } from 'rxjs'
import type { Consumer, EachBatchPayload } from 'kafkajs'

export interface Delivery {
  readonly topic: string
  readonly partition: number
  readonly offset: string
  readonly key: string | null
  readonly value: Buffer | null
  /** the record's timestamp (ms since epoch, as kafkajs gives it): the producer's publish time */
  readonly timestamp?: string
}

export interface IncomingBatch {
  readonly topic: string
  readonly partition: number
  readonly deliveries: readonly Delivery[]
  /** keep the group membership alive while a batch waits (e.g. for Redis to come back) */
  readonly heartbeat: () => Promise<void>
  /** stop waiting when the consumer is stopping or the partition was revoked */
  readonly isActive: () => boolean
  settle(error?: unknown): void
}

export interface KafkaSourceOptions {
  readonly partitionsConsumedConcurrently?: number
}

const nextOffset = (offset: string): string => (BigInt(offset) + 1n).toString()

export const kafkaBatches$ = (consumer: Consumer, options: KafkaSourceOptions = {}): Observable<IncomingBatch> =>
  new Observable<IncomingBatch>((subscriber) => {
    const eachBatch = async (payload: EachBatchPayload): Promise<void> => {
      const { batch } = payload
      if (batch.messages.length === 0 || !payload.isRunning() || payload.isStale()) return
      const deliveries = batch.messages.map((m): Delivery => ({
        topic: batch.topic,
        partition: batch.partition,
        offset: m.offset,
        key: m.key === null ? null : m.key.toString('utf8'),
        value: m.value,
        timestamp: m.timestamp,
      }))
      await new Promise<void>((resolve, reject) => {
        subscriber.next({
          topic: batch.topic,
          partition: batch.partition,
          deliveries,
          heartbeat: () => payload.heartbeat(),
          isActive: () => payload.isRunning() && !payload.isStale(),
          settle: (error?: unknown) => (error === undefined ? resolve() : reject(error instanceof Error ? error : new Error('batch could not be recorded', { cause: error }))),
        })
      })
      const last = batch.lastOffset()
      payload.resolveOffset(last)
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: nextOffset(last) }])
    }
    consumer
      .run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 4, eachBatch })
      .catch((error: unknown) => subscriber.error(error))
  })
