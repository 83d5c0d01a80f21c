/**
 * B7: the dead-letter path. M malformed messages (nobody to answer: only a dead letter each) are
 * published interleaved with V valid creates (one valid after every M/V malformed), in sends of
 * 1,000. Throughput is M over the span from the first publish to the M-th dead letter arriving on
 * the dead-letter topic; the valid creates' publish → result latency shows whether the malformed
 * ones blocked them.
 */
import { randomUUID } from 'node:crypto'
import { RequestTopics } from '../src/codecs/topics.js'
import type { Figure } from './figure.js'
import type { BenchInfra } from './infra.js'
import { BASE_PROFILE } from './profiles.js'
import { createMessage, createRequests, malformedMessage, publishAll, type OutgoingMessage } from './requests.js'
import type { Sizes } from './sizes.js'
import { fmt, median, percentile, repeat } from './stats.js'
import { startServiceUnderTest } from './sut.js'

interface DeadLetterRun {
  readonly rate: number
  readonly validP50: number
  readonly validP99: number
  readonly failures: number
}

const deadLetterRun = async (infra: BenchInfra, sizes: Sizes): Promise<DeadLetterRun> => {
  const sut = await startServiceUnderTest(infra, BASE_PROFILE)
  try {
    const valid = createRequests(`b7-${randomUUID().slice(0, 6)}`, sizes.b7Valid).map(createMessage)
    const every = Math.max(1, Math.floor(sizes.b7Malformed / sizes.b7Valid))
    const messages: OutgoingMessage[] = []
    for (let i = 0, v = 0; i < sizes.b7Malformed; i += 1) {
      messages.push(malformedMessage(i))
      if ((i + 1) % every === 0 && v < valid.length) messages.push(valid[v++] as OutgoingMessage)
    }
    const dlqBefore = infra.collector.deadLetters.length
    const start = performance.now()
    const published = await publishAll(infra.producer, RequestTopics.create, messages, 1000)
    await infra.collector.waitForDeadLetters(dlqBefore + sizes.b7Malformed, 180_000)
    const lastDeadLetter = infra.collector.deadLetters[dlqBefore + sizes.b7Malformed - 1] ?? Number.NaN
    const refs = [...published.keys()]
    await infra.collector.waitForResults(refs, 120_000)
    let failures = 0
    const latencies = refs.map((ref) => {
      const seen = infra.collector.results.get(ref)
      if (seen?.status !== 'SUCCESS') failures += 1
      return (seen?.at ?? Number.NaN) - (published.get(ref) ?? 0)
    })
    return { rate: (sizes.b7Malformed / (lastDeadLetter - start)) * 1000, validP50: percentile(latencies, 50), validP99: percentile(latencies, 99), failures }
  } finally {
    await sut.stop()
  }
}

export const runB7 = async (infra: BenchInfra, sizes: Sizes, log: (line: string) => void): Promise<Figure[]> => {
  const runs = await repeat(sizes.runs, async (i) => {
    const run = await deadLetterRun(infra, sizes)
    log(`  B7 run ${i + 1}: ${fmt(run.rate, 0)} dead letters/s; valid creates p50 ${fmt(run.validP50, 0)} ms, p99 ${fmt(run.validP99, 0)} ms`)
    return run
  })
  const rate = median(runs.map((r) => r.rate))
  return [
    {
      id: 'B7',
      name: 'dead-letter path: malformed messages/s without blocking valid ones',
      value: rate,
      unit: 'msg/s',
      target: '>= 5,000 msg/s',
      pass: rate >= 5000,
      runs: runs.map((r) => r.rate),
      notes: [
        `${sizes.b7Malformed} malformed interleaved with ${sizes.b7Valid} valid creates, base profile`,
        `valid creates publish → result: p50 ${runs.map((r) => fmt(r.validP50, 0)).join(', ')} ms, p99 ${runs.map((r) => fmt(r.validP99, 0)).join(', ')} ms per run; non-SUCCESS ${runs.map((r) => r.failures).join(', ')}`,
      ],
    },
    {
      id: 'B7',
      name: 'valid creates among them: p99 publish → result',
      value: median(runs.map((r) => r.validP99)),
      unit: 'ms',
      target: '',
      pass: undefined,
      runs: runs.map((r) => r.validP99),
      notes: [],
    },
  ]
}
