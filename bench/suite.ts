/**
 * The benchmark suite: runs every benchmark in order (memory first, while the heap is quiet; then
 * the CPU-only ones; then everything that needs Redis, Kafka and the simulators), profiles the
 * misses, and renders the report. bench/run.ts is the command; the smoke spec calls this directly.
 */
import { randomUUID } from 'node:crypto'
import { runB1, serviceBurst } from './b1-throughput.js'
import { runB2 } from './b2-latency.js'
import { runB3 } from './b3-coalescing.js'
import { runB4 } from './b4-render.js'
import { runB5 } from './b5-replay.js'
import { runB6 } from './b6-memory.js'
import { runB7 } from './b7-dead-letter.js'
import { runB8 } from './b8-redis-retention.js'
import { runB9 } from './b9-scrapeconfig-scale.js'
import { runB10 } from './b10-startup.js'
import { runB11, runB12 } from './b11-service-process.js'
import { runB13 } from './b13-tracing.js'
import { runCapacity } from './capacity.js'
import { withCpuProfile, type ProfileSummary } from './cpu-profile.js'
import type { BenchId, Figure } from './figure.js'
import { startBenchInfra, type BenchInfra } from './infra.js'
import { BASE_PROFILE, HEAVY_TAIL_PROFILE, type LatencyProfile } from './profiles.js'
import { analysis, reasonFor } from './reasons.js'
import { RUNTIME_IDS, runtimeTable, runUnderFloor } from './runtimes.js'
import { machine, markdown, table } from './report.js'
import { sizesFor, type Mode, type Sizes } from './sizes.js'

export interface SuiteOptions {
  readonly mode: Mode
  /** run only these benchmarks (all when absent) */
  readonly only?: readonly BenchId[]
  readonly command: string
  readonly log: (line: string) => void
  /** also measure B1, B4 and B5 under the engines floor's Node (a child bench run) */
  readonly runtimes?: boolean
}

export interface SuiteOutcome {
  readonly figures: readonly Figure[]
  readonly table: string
  readonly markdown: string
}

const wanted = (options: SuiteOptions, id: BenchId): boolean => options.only === undefined || options.only.includes(id)

/** One CPU profile per missed benchmark, of a representative part of it. */
const profileMiss = async (id: BenchId, infra: BenchInfra | undefined, sizes: Sizes): Promise<ProfileSummary | undefined> => {
  const name = `${id}-${randomUUID().slice(0, 6)}`
  switch (id) {
    case 'B1':
    case 'B2':
    case 'B3':
      if (infra === undefined) return undefined
      return (await withCpuProfile(name, () => serviceBurst(infra, BASE_PROFILE, Math.min(1000, sizes.b1Service), 'profile'))).summary
    case 'B4':
      return (await withCpuProfile(name, () => runB4({ ...sizes, b4Iterations: 200 }, () => undefined))).summary
    case 'B5':
      if (infra === undefined) return undefined
      return (await withCpuProfile(name, () => runB5(infra.redisUrl, { ...sizes, runs: 1 }, () => undefined))).summary
    case 'B7':
      if (infra === undefined) return undefined
      return (await withCpuProfile(name, () => runB7(infra, { ...sizes, runs: 1 }, () => undefined))).summary
    default:
      return undefined
  }
}

export const runSuite = async (options: SuiteOptions): Promise<SuiteOutcome> => {
  const sizes = sizesFor(options.mode)
  const { log } = options
  const started = performance.now()
  const figures: Figure[] = []
  const profiles: LatencyProfile[] = sizes.heavyTail ? [BASE_PROFILE, HEAVY_TAIL_PROFILE] : [BASE_PROFILE]
  const section = async (id: BenchId, title: string, run: () => Promise<Figure[]> | Figure[]): Promise<void> => {
    if (!wanted(options, id)) return
    log(`${id}: ${title}`)
    figures.push(...(await run()))
  }

  await section('B6', 'heap per tracked serviceId', () => runB6(sizes, log))
  await section('B4', 'render + encode a near-1 MiB secret after one edit', () => runB4(sizes, log))
  await section('B13', 'tracing off vs on: the per-request tracing path (CPU)', () => runB13(sizes, log))
  await section('C', 'capacity: bytes per job, services per secret', () => runCapacity())

  const needsInfra = (['B1', 'B2', 'B3', 'B5', 'B7', 'B8', 'B9', 'B10', 'B11', 'B12'] as const).some((id) => wanted(options, id))
  const infra = needsInfra ? await startBenchInfra() : undefined
  try {
    if (infra !== undefined) {
      await section('B5', 'replay events/s', () => runB5(infra.redisUrl, sizes, log))
      await section('B8', 'Redis memory per service, and after a retention pass', () => runB8(infra.redisUrl, sizes, log))
      await section('B10', `start-up with ${sizes.b10Services} services in Redis vs an empty Redis`, () => runB10(infra, sizes, log))
      for (const profile of profiles) {
        let b1Rate = 0
        await section('B1', `sustained creates/s [${profile.name}]`, async () => {
          const outcome = await runB1(infra, sizes, profile, log)
          b1Rate = outcome.serviceRate
          return outcome.figures
        })
        await section('B2', `latency at half of B1's rate [${profile.name}]`, () => runB2(infra, sizes, profile, b1Rate > 0 ? b1Rate : 20, log))
        if (profile === BASE_PROFILE) {
          await section('B3', 'secret writes for creates published at once', () => runB3(infra, sizes, log))
          await section('B7', 'dead-letter path', () => runB7(infra, sizes, log))
        }
      }
      await section('B11', 'the service in its own process: CPU per create, peak memory under a burst', () => runB11(infra, sizes, log))
      await section('B12', 'scale-out: 1, 2 and 4 service processes in one consumer group', () => runB12(infra, sizes, log))
      // last: the longest run, and it leaves N services' keys in Redis
      await section('B9', `${sizes.b9Services} creates in scrapeconfig mode vs secret mode at ${sizes.b9SecretServices}`, () => runB9(infra, sizes, log))
    }
    const missed = [...new Set(figures.filter((f) => f.pass === false).map((f) => f.id))]
    const evidence = new Map<BenchId, ProfileSummary | undefined>()
    for (const id of missed) {
      // one service profile serves B1, B2 and B3 (the same process doing the same work)
      const shared = (['B1', 'B2', 'B3'] as const).find((s) => evidence.has(s))
      if (sizes.profileMisses && !evidence.has(id)) {
        if (shared !== undefined && (['B1', 'B2', 'B3'] as readonly BenchId[]).includes(id)) evidence.set(id, evidence.get(shared))
        else {
          log(`profiling ${id} (missed its target)`)
          evidence.set(id, await profileMiss(id, infra, sizes))
        }
      }
    }
    for (const figure of figures.filter((f) => f.pass === false)) {
      figure.reason = reasonFor(figure, figures)
      const summary = evidence.get(figure.id)
      if (summary !== undefined) figure.profile = `${summary.markdown}\n\n(profile file: \`${summary.file}\`; open it in Chrome DevTools or speedscope)`
    }
  } finally {
    await infra?.stop()
  }
  // after the shipped runtime's infra is gone: the floor's run starts its own
  const measured = RUNTIME_IDS.filter((id) => wanted(options, id))
  const columns = options.runtimes === true && measured.length > 0 ? await runUnderFloor(sizes.mode, measured, log) : undefined
  const durationS = (performance.now() - started) / 1000
  return {
    figures,
    table: table(figures),
    markdown: markdown({
      figures,
      machine: machine(),
      sizes,
      profiles,
      durationS,
      command: options.command,
      analysis: (columns === undefined ? '' : runtimeTable(figures, columns)) + analysis(figures),
    }),
  }
}
