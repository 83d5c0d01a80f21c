/**
 * The stopwatch's far end: ONE kafkajs consumer on the result topics and the dead-letter topic for
 * the whole bench, recording when each answer arrived (keyed by `kogitoprocrefid`, which is the
 * request's `kogitoprocinstanceid`) and when each dead letter arrived.
 *
 * It starts "from now" without trusting join timing (as test/support/kafka-helpers does): the end
 * offsets are snapshotted first, the group reads from the beginning and drops what lies before.
 */
import { randomUUID } from 'node:crypto'
import type { Kafka } from 'kafkajs'
import { DEFAULT_DEAD_LETTER_TOPIC, ResultTopics } from '../src/codecs/topics.js'
import { endOffsets, joinedPromise, BENCH_CONSUMER } from './kafka-bench.js'

export interface ResultSeen {
  readonly at: number
  readonly status: string
}

export interface Collector {
  /** answers by kogitoprocrefid (the first one wins) */
  readonly results: ReadonlyMap<string, ResultSeen>
  /** receive time of every dead letter, in arrival order */
  readonly deadLetters: readonly number[]
  /** answers received for a request that already had one (identical re-sends), so far */
  repeatedAnswers(): number
  waitForResults(refs: readonly string[], timeoutMs: number): Promise<void>
  waitForDeadLetters(count: number, timeoutMs: number): Promise<void>
  stop(): Promise<void>
}

const statusOf = (envelope: Record<string, unknown>): string => {
  const data = envelope['data']
  const status = typeof data === 'object' && data !== null ? (data as Record<string, unknown>)['dashboardDataOrderStatus'] : undefined
  return typeof status === 'string' ? status : 'UNKNOWN'
}

export const startCollector = async (kafka: Kafka): Promise<Collector> => {
  const topics = [...Object.values(ResultTopics), DEFAULT_DEAD_LETTER_TOPIC]
  const start = await endOffsets(kafka, topics)
  const results = new Map<string, ResultSeen>()
  const deadLetters: number[] = []
  let repeated = 0
  const waiters = new Set<() => void>()
  const consumer = kafka.consumer({ groupId: `bench-collector-${randomUUID()}`, ...BENCH_CONSUMER })
  const joined = joinedPromise(consumer, 30_000)
  await consumer.connect()
  await consumer.subscribe({ topics, fromBeginning: true })
  await consumer.run({
    partitionsConsumedConcurrently: 8,
    eachBatch: async ({ batch }) => {
      const at = performance.now()
      const from = start.get(`${batch.topic}/${batch.partition}`) ?? 0n
      for (const message of batch.messages) {
        if (BigInt(message.offset) < from) continue
        if (batch.topic === DEFAULT_DEAD_LETTER_TOPIC) {
          deadLetters.push(at)
          continue
        }
        const envelope = JSON.parse(message.value?.toString('utf8') ?? 'null') as Record<string, unknown> | null
        const ref = envelope?.['kogitoprocrefid']
        if (envelope === null || typeof ref !== 'string') continue
        if (results.has(ref)) repeated += 1
        else results.set(ref, { at, status: statusOf(envelope) })
      }
      for (const wake of [...waiters]) wake()
      return Promise.resolve()
    },
  })
  await joined

  const waitFor = (done: () => boolean, timeoutMs: number, what: () => string): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!done()) return
        clearTimeout(timer)
        waiters.delete(check)
        resolve()
      }
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(new Error(`collector: ${what()} after ${timeoutMs} ms`))
      }, timeoutMs)
      waiters.add(check)
      check()
    })

  return {
    results,
    deadLetters,
    repeatedAnswers: () => repeated,
    waitForResults: (refs, timeoutMs) =>
      waitFor(
        () => refs.every((ref) => results.has(ref)),
        timeoutMs,
        () => `${refs.filter((ref) => results.has(ref)).length} of ${refs.length} results`,
      ),
    waitForDeadLetters: (count, timeoutMs) =>
      waitFor(
        () => deadLetters.length >= count,
        timeoutMs,
        () => `${deadLetters.length} of ${count} dead letters`,
      ),
    stop: () => consumer.disconnect(),
  }
}
