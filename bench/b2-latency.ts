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
import { takeCensus } from './call-census.js'
import type { Registry } from 'prom-client'

/** a counter's total for one label value, read from the service's own registry */
const counterTotal = async (registry: Registry, name: string, label: string, value: string): Promise<number> => {
  const metric = registry.getSingleMetric(name)
  if (metric === undefined) return 0
  const { values } = await metric.get()
  return values.filter((v) => v.labels[label] === value).reduce((sum, v) => sum + v.value, 0)
}

export const pacedRun = async (infra: BenchInfra, profile: LatencyProfile, perSecond: number, count: number) => {
  const sut = await startServiceUnderTest(infra, profile)
  try {
    const census = takeCensus(sut.stack, profile.tail?.latencyMs ?? Number.POSITIVE_INFINITY)
    const messages = createRequests(`b2-${randomUUID().slice(0, 6)}`, count).map(createMessage)
    const timed = await timeAnswers(infra, () => publishPaced(infra.producer, RequestTopics.create, messages, perSecond), 180_000)
    const hedges = await counterTotal(sut.service.metrics.registry, 'telemetry_hedged_reads_total', 'outcome', 'sent')
    const hedgesWon = await counterTotal(sut.service.metrics.registry, 'telemetry_hedged_reads_total', 'outcome', 'won')
    const calls = census.total()
    const slowCreates = timed.latencies.filter((ms) => ms >= (profile.tail?.latencyMs ?? Number.POSITIVE_INFINITY)).length
    return { ...timed, hedges, hedgesWon, calls, callsPerCreate: census.perCreate(count), slowCreates }
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
    return {
      p50,
      p99,
      max: Math.max(...run.latencies),
      failures: run.failures,
      hedges: run.hedges,
      hedgesWon: run.hedgesWon,
      calls: run.calls,
      callsPerCreate: run.callsPerCreate,
      slowCreates: run.slowCreates,
    }
  })
  const p99 = median(runs.map((r) => r.p99))
  const p50 = median(runs.map((r) => r.p50))
  // the extra-call ratio of the median run: hedged copies over every call the simulators saw
  const hedges = runs.reduce((sum, r) => sum + r.hedges, 0)
  const calls = runs.reduce((sum, r) => sum + r.calls, 0)
  const extra = calls === 0 ? 0 : (hedges / Math.max(1, calls - hedges)) * 100
  const notes = [
    `${count} creates per run paced at ${fmt(perSecond)}/s (half of B1's ${fmt(b1Rate)}/s), ${sizes.b2Seconds} s`,
    `max per run: ${runs.map((r) => fmt(r.max, 0)).join(', ')} ms; non-SUCCESS per run: ${runs.map((r) => r.failures).join(', ')}`,
    `calls per create, by kind (slow = the profile's tail), per run: ${runs.map((r) => r.callsPerCreate).join(' | ')}`,
    `hedged reads sent/won per run: ${runs.map((r) => `${r.hedges}/${r.hedgesWon}`).join(', ')} over ${calls} calls (${fmt(extra, 2)}% extra)`,
    ...(profile.tail === undefined
      ? []
      : [
          `creates that took >= ${profile.tail.latencyMs} ms per run: ${runs.map((r) => `${r.slowCreates} (${fmt((r.slowCreates / count) * 100, 1)}%)`).join(', ')}`,
        ]),
  ]
  const target = profile.tail === undefined ? 400 : 1000
  const name =
    profile.tail === undefined
      ? `p99 latency publish → result at half B1 rate [${profile.name}]`
      : `p99 latency publish → result at half B1 rate [${profile.name}] (hedged reads: ${fmt(extra, 2)}% extra calls)`
  return [
    { id: 'B2', name, value: p99, unit: 'ms', target: `p99 <= ${target} ms`, pass: p99 <= target, runs: runs.map((r) => r.p99), notes },
    {
      id: 'B2',
      name: `p50 latency publish → result at half B1 rate [${profile.name}]`,
      value: p50,
      unit: 'ms',
      target: '',
      pass: undefined,
      runs: runs.map((r) => r.p50),
      notes: [],
    },
  ]
}
