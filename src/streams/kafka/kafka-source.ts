/**
 * kafkaBatches$: the kafkajs consumer as an Observable of batches.
 *
 * Inbox semantics live here: kafkajs hands us a batch, we emit it and WAIT until downstream
 * settles it (the requests are durable in Redis, rejects are dead-lettered); only then is the
 * batch's offset committed. A batch settled with an error is not committed: kafkajs retries it
 * and, after its retries, restarts the consumer from the last committed offset. Waiting here is
 * also the backpressure: the consumer fetches no further than the inbox can record.
 *
 * kafkajs restarts itself only after retriable errors; after any other crash (e.g. a broker
 * answering a SyncGroup race with INVALID_REQUEST) the consumer stays stopped while the process
 * lives on, a silent zombie in the group. So we run it again ourselves, with a growing delay: the
 * log makes that safe (uncommitted batches come back and the inbox dedupes them).
 */
import type { Delivery } from '../../codecs/delivery.js'
import { backoffDelay, type Backoff } from '../../support/backoff.js'
import { Observable } from 'rxjs'
import type { Consumer, EachBatchPayload } from 'kafkajs'

export type { Delivery }

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
  /** delay before the n-th (0-based) restart after a crash kafkajs gives up on; default 1 s doubling to 30 s */
  readonly restartDelayMs?: (restart: number) => number
  /** false once the owner is shutting the consumer down: no restart then (checked again when the delay ends) */
  readonly canRestart?: () => boolean
  /** told about each such crash before the restart is scheduled */
  readonly onCrash?: (error: Error, restart: number, delayMs: number) => void
}

const RESTART_BACKOFF: Backoff = { baseDelayMs: 1000, maxDelayMs: 30_000, jitter: 'none' }
const defaultRestartDelay = (restart: number): number => backoffDelay(restart, RESTART_BACKOFF)

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
        // binary-mode CloudEvents carry their attributes here
        ...(m.headers === undefined ? {} : { headers: m.headers }),
      }))
      await new Promise<void>((resolve, reject) => {
        subscriber.next({
          topic: batch.topic,
          partition: batch.partition,
          deliveries,
          heartbeat: () => payload.heartbeat(),
          isActive: () => payload.isRunning() && !payload.isStale(),
          settle: (error?: unknown) =>
            error === undefined ? resolve() : reject(error instanceof Error ? error : new Error('batch could not be recorded', { cause: error })),
        })
      })
      const last = batch.lastOffset()
      payload.resolveOffset(last)
      await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: nextOffset(last) }])
    }
    const config = { autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 4, eachBatch }
    let restarts = 0
    let restartTimer: NodeJS.Timeout | undefined
    const wanted = () => !subscriber.closed && (options.canRestart?.() ?? true)
    const restartAfter = (error: Error) => {
      if (!wanted()) return
      const delayMs = (options.restartDelayMs ?? defaultRestartDelay)(restarts)
      options.onCrash?.(error, restarts, delayMs)
      restarts += 1
      restartTimer = setTimeout(() => {
        // a restart that cannot even start (broker down) is one more crash, not the end of the stream
        if (wanted()) consumer.run(config).catch((e: unknown) => restartAfter(e instanceof Error ? e : new Error(String(e))))
      }, delayMs)
    }
    const removeCrashListener = consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) restartAfter(payload.error)
    })
    // a join after a restart means the consumer works again: the next crash starts the delays anew
    const removeJoinListener = consumer.on(consumer.events.GROUP_JOIN, () => (restarts = 0))
    consumer.run(config).catch((error: unknown) => subscriber.error(error))
    return () => {
      clearTimeout(restartTimer)
      removeCrashListener()
      removeJoinListener()
    }
  })
