/**
 * B2: publish → result latency at half of B1's measured rate (same profile), published at a
 * steady pace for `b2Seconds`. p50 and p99 are taken per run over every request; the figure is
 * the median of the runs' percentiles.
 */
import { randomUUID } from 'node:crypto'
import { RequestTopics } from '../src/codecs/topics.js'
import type { Figure } from './figure.js'
import type { BenchInfra } from './infra.js'
import { timeAnswers } from './measure.js'
import type { LatencyProfile } from './profiles.js'
import { createMessage, createRequests, publishPaced } from './requests.js'
import type { Sizes } from './sizes.js'
import { fmt, median, percentile, repeat } from './stats.js'
import { startServiceUnderTest } from './sut.js'

export const pacedRun = async (infra: BenchInfra, profile: LatencyProfile, perSecond: number, count: number) => {
  const sut = await startServiceUnderTest(infra, profile)
  try {
    const messages = createRequests(`b2-${randomUUID().slice(0, 6)}`, count).map(createMessage)
    return await timeAnswers(infra, () => publishPaced(infra.producer, RequestTopics.create, messages, perSecond), 180_000)
  } finally {
    await sut.stop()
  }
}

export const runB2 = async (infra: BenchInfra, sizes: Sizes, profile: LatencyProfile, b1Rate: number, log: (line: string) => void): Promise<Figure[]> => {
  const perSecond = Math.max(1, b1Rate / 2)
  const count = Math.max(5, Math.round(perSecond * sizes.b2Seconds))
  const runs = await repeat(sizes.runs, async (i) => {
    const run = await pacedRun(infra, profile, perSecond, count)
    const p50 = percentile(run.latencies, 50)
    const p99 = percentile(run.latencies, 99)
    log(`  B2 run ${i + 1}: ${count} creates at ${fmt(perSecond)}/s: p50 ${fmt(p50, 0)} ms, p99 ${fmt(p99, 0)} ms`)
    return { p50, p99, max: Math.max(...run.latencies), failures: run.failures }
  })
  const p99 = median(runs.map((r) => r.p99))
  const p50 = median(runs.map((r) => r.p50))
  const notes = [
    `${count} creates per run paced at ${fmt(perSecond)}/s (half of B1's ${fmt(b1Rate)}/s), ${sizes.b2Seconds} s`,
    `max per run: ${runs.map((r) => fmt(r.max, 0)).join(', ')} ms; non-SUCCESS per run: ${runs.map((r) => r.failures).join(', ')}`,
  ]
  return [
    { id: 'B2', name: `p99 latency publish → result at half B1 rate [${profile.name}]`, value: p99, unit: 'ms', target: 'p99 <= 400 ms', pass: p99 <= 400, runs: runs.map((r) => r.p99), notes },
    { id: 'B2', name: `p50 latency publish → result at half B1 rate [${profile.name}]`, value: p50, unit: 'ms', target: '', pass: undefined, runs: runs.map((r) => r.p50), notes: [] },
  ]
}
