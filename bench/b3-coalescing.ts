/**
 * B3: how many secret writes 1,000 creates published at once cost, and that no job is lost: after
 * every answer arrived, the secret must hold every one of the 1,000 jobs (each exactly once).
 * Writes are the Kubernetes simulator's successful PUTs (a fresh simulator per run).
 */
import { load } from '../test/support/yaml.js'
import { randomUUID } from 'node:crypto'
import { RequestTopics } from '../src/codecs/topics.js'
import type { Figure } from './figure.js'
import type { BenchInfra } from './infra.js'
import { timeAnswers } from './measure.js'
import { BASE_PROFILE } from './profiles.js'
import { createMessage, createRequests, publishAll } from './requests.js'
import type { Sizes } from './sizes.js'
import { median, repeat } from './stats.js'
import { startServiceUnderTest } from './sut.js'
import type { RunningService } from '../src/runtime/service.js'
import { DEFAULT_LANES, LANE_BOUNDS } from './lanes.js'

interface CoalescingRun {
  readonly writes: number
  readonly lost: number
  readonly duplicates: number
  readonly failures: number
  readonly maxBatch: number
}

/**
 * The largest group-commit batch, as the service's own histogram tells it (the smallest bucket
 * bound that holds every write): the bench reads /metrics like an operator, not the writer's insides.
 */
const largestBatchBound = async (service: RunningService): Promise<number> => {
  const metric = service.metrics.registry.getSingleMetric('telemetry_secret_edits_per_write')
  if (metric === undefined) return 0
  const { values } = await metric.get()
  // a histogram's values carry the series name (bucket, sum, count) at run time; prom-client's type omits it
  const nameOf = (v: object): string | undefined => ('metricName' in v && typeof v.metricName === 'string' ? v.metricName : undefined)
  const count = values.find((v) => nameOf(v) === 'telemetry_secret_edits_per_write_count')?.value ?? 0
  const bounds = values
    .filter((v) => nameOf(v) === 'telemetry_secret_edits_per_write_bucket' && v.value === count && v.labels['le'] !== '+Inf')
    .map((v) => Number(v.labels['le']))
  return count === 0 ? 0 : Math.min(...bounds, Number.POSITIVE_INFINITY)
}

const coalescingRun = async (infra: BenchInfra, count: number, env: Readonly<Record<string, string>> = {}): Promise<CoalescingRun> => {
  const sut = await startServiceUnderTest(infra, BASE_PROFILE, env)
  try {
    const requests = createRequests(`b3-${randomUUID().slice(0, 6)}`, count)
    // one send: "published at once"
    const run = await timeAnswers(infra, () => publishAll(infra.producer, RequestTopics.create, requests.map(createMessage), count), 180_000)
    const maxBatch = await largestBatchBound(sut.service)
    const names = ((load(sut.stack.scrapeConfigs() ?? '') ?? []) as Array<{ job_name: string }>).map((j) => j.job_name)
    const present = new Set(names)
    return {
      writes: sut.stack.kube.successfulWrites,
      lost: requests.filter((r) => !present.has(r.data.serviceId)).length,
      duplicates: names.length - present.size,
      failures: run.failures,
      maxBatch,
    }
  } finally {
    await sut.stop()
  }
}

export const runB3 = async (infra: BenchInfra, sizes: Sizes, log: (line: string) => void): Promise<Figure[]> => {
  const runs = await repeat(sizes.runs, async (i) => {
    const run = await coalescingRun(infra, sizes.b3Creates)
    log(`  B3 run ${i + 1}: ${run.writes} writes (largest batch ≤ ${run.maxBatch} edits), ${run.lost} lost, ${run.duplicates} duplicates`)
    return run
  })
  // the other lane bounds B11 compares: does a burst still coalesce with fewer lanes?
  const others: Array<{ lanes: number; run: CoalescingRun }> = []
  for (const lanes of LANE_BOUNDS.filter((l) => l !== DEFAULT_LANES && sizes.mode !== 'smoke')) {
    const run = await coalescingRun(infra, sizes.b3Creates, { MAX_PARALLEL_SERVICES: String(lanes) })
    log(`  B3 with MAX_PARALLEL_SERVICES=${lanes}: ${run.writes} writes (largest batch ≤ ${run.maxBatch}), ${run.lost} lost`)
    others.push({ lanes, run })
  }
  const writes = median(runs.map((r) => r.writes))
  const lost = Math.max(...runs.map((r) => r.lost + r.duplicates + r.failures))
  const notes = [
    `${sizes.b3Creates} creates published in one send; base profile`,
    `largest batch per run (≤, histogram bucket): ${runs.map((r) => r.maxBatch).join(', ')} edits; non-SUCCESS answers per run: ${runs.map((r) => r.failures).join(', ')}`,
  ]
  return [
    {
      id: 'B3',
      name: `secret writes for ${sizes.b3Creates} creates published at once`,
      value: writes,
      unit: 'writes',
      target: '<= 5 writes',
      pass: writes <= 5,
      runs: runs.map((r) => r.writes),
      notes,
    },
    ...others.map(({ lanes, run }): Figure => ({
      id: 'B3',
      name: `secret writes with MAX_PARALLEL_SERVICES=${lanes} (default ${DEFAULT_LANES})`,
      value: run.writes,
      unit: 'writes',
      target: '',
      pass: undefined,
      runs: [run.writes],
      notes: [`one run; largest batch ≤ ${run.maxBatch} edits; ${run.lost + run.duplicates} lost or duplicated, ${run.failures} non-SUCCESS`],
    })),
    {
      id: 'B3',
      name: 'lost or duplicated jobs (worst run)',
      value: lost,
      unit: 'jobs',
      target: '0 lost jobs',
      pass: lost === 0,
      runs: runs.map((r) => r.lost + r.duplicates + r.failures),
      notes: [],
    },
  ]
}
