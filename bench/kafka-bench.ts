/**
 * Kafka plumbing shared by the bench: consumer timings, "start at the end" for a new group, and
 * fast-forwarding the service's own group so it does not re-read earlier runs' requests.
 */
// kafkajs clients made here too: no TimeoutNegativeWarning on Node 24 (kafkajs #1751)
import '../src/streams/kafka/kafkajs-negative-timeout.js'
import { randomUUID } from 'node:crypto'
import { Kafka, logLevel, type Consumer } from 'kafkajs'
import { endOffsets, groupJoined } from '../test/support/kafka-helpers.js'

/**
 * The mock broker does not answer a fetch as soon as data arrives (a real broker does, minBytes 1):
 * it sits out most of `maxWaitTimeInMs`. Measured here: median 53 ms per hop at 200 ms, 12 ms at
 * 20 ms. Every consumer in the bench (service, baselines, collector) therefore polls with 20 ms,
 * which approximates a real broker's long poll; otherwise each Kafka hop would add ~50-100 ms of
 * mock artefact to every publish → result latency.
 */
const POLL_MS = 20

/**
 * Join fast against the mock (see docs: ~3 s), but with a session long enough that a baseline
 * busy for seconds inside one batch is not thrown out of its group.
 */
export const BENCH_CONSUMER = { sessionTimeout: 30_000, heartbeatInterval: 300, maxWaitTimeInMs: POLL_MS, rebalanceTimeout: 3000 } as const
/** What the service runs with in the bench: the test timings of test/support/kafka-helpers.ts, polling as above. */
export const SERVICE_CONSUMER = { sessionTimeout: 3000, heartbeatInterval: 300, maxWaitTimeInMs: POLL_MS, rebalanceTimeout: 3000 } as const

export const benchKafka = (brokers: readonly string[]): Kafka =>
  new Kafka({ clientId: `bench-${randomUUID().slice(0, 8)}`, brokers: [...brokers], logLevel: logLevel.NOTHING })

/** End offset of every partition of `topics` now (shared with the tests' Kafka helpers). */
export { endOffsets }

export const joinedPromise = (consumer: Consumer, timeoutMs: number): Promise<void> => groupJoined(consumer, 'consumer', timeoutMs)

/**
 * Commits the current end offsets for `groupId`, so a service that joins this group later starts
 * there instead of at the beginning (it subscribes `fromBeginning`, and earlier runs' requests
 * are still on the topics). The mock supports neither admin.setOffsets nor resetOffsets, so a
 * short-lived member joins, commits and leaves.
 */
export const fastForwardGroup = async (kafka: Kafka, groupId: string, topics: readonly string[]): Promise<void> => {
  const consumer = kafka.consumer({ groupId, ...SERVICE_CONSUMER })
  const joined = joinedPromise(consumer, 30_000)
  await consumer.connect()
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: true })
    await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: () => Promise.resolve() })
    await joined
    const ends = await endOffsets(kafka, topics)
    const offsets = [...ends].map(([key, high]) => {
      const slash = key.lastIndexOf('/')
      return { topic: key.slice(0, slash), partition: Number(key.slice(slash + 1)), offset: high.toString() }
    })
    await consumer.commitOffsets(offsets)
  } finally {
    await consumer.disconnect()
  }
}
