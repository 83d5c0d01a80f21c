/**
 * The two baselines of the issue, measured in the same run as the service:
 *
 * - A, sequential: one kafkajs consumer, `eachMessage`, one partition at a time: one request in
 *   flight, each with its own secret GET+PUT.
 * - B, naive concurrent: `eachBatch` on every partition at once, the batch's requests run in
 *   parallel (at most `concurrency` in flight, the service's MAX_PARALLEL_SERVICES default), each
 *   doing its own read-modify-write of the secret with retry on 409; no coalescing.
 *
 * Both consume the real request topic from "now" (end offsets snapshotted, earlier records
 * skipped) and publish to the real result topic, where the bench's collector times them.
 */
import { randomUUID } from 'node:crypto'
import { RequestTopics } from '../src/codecs/topics.js'
import { startDevStack, type DevStack } from '../dev/dev-stack.js'
import { handleCreate, type BaselineCounters, type BaselineTarget } from './baseline-create.js'
import type { BenchInfra } from './infra.js'
import { BENCH_CONSUMER, endOffsets, joinedPromise } from './kafka-bench.js'
import { applyProfile, type LatencyProfile } from './profiles.js'
import { semaphore } from './stats.js'

export type BaselineKind = 'A' | 'B'

export interface RunningBaseline {
  readonly stack: DevStack
  readonly counters: BaselineCounters
  stop(): Promise<void>
}

export const startBaseline = async (infra: BenchInfra, kind: BaselineKind, profile: LatencyProfile, concurrency = 64): Promise<RunningBaseline> => {
  const instance = `baseline-${kind}-${randomUUID().slice(0, 8)}`
  const stack = await startDevStack({ redisUrl: infra.redisUrl, kafkaBrokers: infra.brokers.join(','), instance })
  applyProfile(stack, profile)
  const counters: BaselineCounters = { conflicts: 0, puts: 0 }
  const target: BaselineTarget = { stack, producer: infra.producer, counters }
  const topic = RequestTopics.create
  const start = await endOffsets(infra.kafka, [topic])
  const fresh = (partition: number, offset: string): boolean => BigInt(offset) >= (start.get(`${topic}/${partition}`) ?? 0n)
  const consumer = infra.kafka.consumer({ groupId: instance, ...BENCH_CONSUMER })
  const joined = joinedPromise(consumer, 30_000)
  await consumer.connect()
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  if (kind === 'A') {
    await consumer.run({
      partitionsConsumedConcurrently: 1,
      eachMessage: async ({ partition, message }) => {
        if (fresh(partition, message.offset)) await handleCreate(target, message.value)
      },
    })
  } else {
    const slot = semaphore(concurrency)
    await consumer.run({
      partitionsConsumedConcurrently: 8,
      eachBatch: async (payload) => {
        const { batch } = payload
        const beat = setInterval(() => void payload.heartbeat().catch(() => undefined), 1000)
        try {
          await Promise.all(batch.messages.filter((m) => fresh(batch.partition, m.offset)).map((m) => slot(() => handleCreate(target, m.value))))
        } finally {
          clearInterval(beat)
        }
      },
    })
  }
  try {
    await joined
  } catch (error) {
    await consumer.disconnect()
    await stack.stop()
    throw error
  }
  return {
    stack,
    counters,
    stop: async () => {
      await consumer.disconnect()
      await stack.stop()
    },
  }
}
