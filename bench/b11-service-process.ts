/**
 * B11: the service's own CPU and memory, and B12: scale-out. The service runs as its own OS
 * process(es) (bench/service-process.ts), the simulators, producer and collector stay in the bench
 * process, so /proc of the service's pid shows only what the service spends.
 *
 * B11 CPU: a burst of B1's size (secret mode, base profile) under `node --cpu-prof`; CPU ms per
 * create = the process's user+system CPU during the burst over the creates; the profile's
 * breakdown by part is in the notes. The same burst at several MAX_PARALLEL_SERVICES values says
 * which default the figures support. B11 memory: B9's burst (scrapeconfig mode, N creates, bounded
 * backlog) against one service process: its peak RSS (VmHWM) against deploy/'s 512 Mi limit.
 *
 * B12: 1, 2 and 4 service processes in ONE consumer group (same Redis prefix), scrapeconfig mode:
 * creates/s for each, the ratio to one, and lost or duplicated work (objects in the simulator,
 * answers per request).
 */
import { mkdtemp, readdir } from 'node:fs/promises'
import { randomUUID } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { startDevStack, type DevStack } from '../dev/dev-stack.js'
import { RequestTopics } from '../src/codecs/topics.js'
import { publishBounded } from './b9-scrapeconfig-scale.js'
import { breakdownTable, readBreakdown, type Breakdown } from './cpu-breakdown.js'
import { informative, type Figure } from './figure.js'
import type { BenchInfra } from './infra.js'
import { fastForwardGroup, SERVICE_CONSUMER } from './kafka-bench.js'
import { timeAnswers } from './measure.js'
import { applyProfile, BASE_PROFILE } from './profiles.js'
import { createMessage, createRequests, publishAll } from './requests.js'
import { runHttpClientCost } from './http-client-cost.js'
import { awaitBalanced, spawnServiceProcess, type ServiceProcess } from './service-process.js'
import type { Sizes } from './sizes.js'
import { fmt, percentile, sleep } from './stats.js'
import { DEFAULT_LANES, LANE_BOUNDS } from './lanes.js'
import { commandCounts, commandsPer } from './redis-commands.js'

const MiB = 1024 * 1024
/** deploy/'s container memory limit */
export const CONTAINER_LIMIT_BYTES = 512 * MiB
/** how long the idle service's CPU is sampled before a burst */
const IDLE_SAMPLE_MS = 3000

const KAFKA_ENV = {
  KAFKA_SESSION_TIMEOUT_MS: String(SERVICE_CONSUMER.sessionTimeout),
  KAFKA_HEARTBEAT_INTERVAL_MS: String(SERVICE_CONSUMER.heartbeatInterval),
  KAFKA_MAX_WAIT_MS: String(SERVICE_CONSUMER.maxWaitTimeInMs),
  KAFKA_REBALANCE_TIMEOUT_MS: String(SERVICE_CONSUMER.rebalanceTimeout),
}

interface Processes {
  readonly stack: DevStack
  readonly replicas: readonly ServiceProcess[]
  stop(): Promise<void>
}

const startProcesses = async (
  infra: BenchInfra,
  count: number,
  env: Readonly<Record<string, string>>,
  nodeFlags: readonly string[] = [],
  kafkaEnv: Readonly<Record<string, string>> = KAFKA_ENV,
): Promise<Processes> => {
  const instance = `bench-${randomUUID().slice(0, 8)}`
  const [stack] = await Promise.all([
    startDevStack({ redisUrl: infra.redisUrl, kafkaBrokers: infra.brokers.join(','), instance, env }),
    fastForwardGroup(infra.kafka, `telemetry-client-${instance}`, Object.values(RequestTopics)),
  ])
  applyProfile(stack, BASE_PROFILE)
  const replicas: ServiceProcess[] = []
  const stop = async () => {
    await Promise.all(replicas.map((r) => r.stop()))
    await stack.stop()
  }
  try {
    for (let i = 0; i < count; i++) replicas.push(await spawnServiceProcess({ ...stack.env, ...kafkaEnv, ...env }, { nodeFlags }))
    if (count > 1) await awaitBalanced(replicas)
  } catch (error) {
    await stop()
    throw error
  }
  return { stack, replicas, stop }
}

interface CpuRun {
  readonly lanes: number
  readonly rate: number
  readonly cpuMsPerCreate: number
  /** the same, less what the process spends idle (consumer polls, heartbeats, timers) over the burst's span */
  readonly netCpuMsPerCreate: number
  readonly idleCpuPerS: number
  readonly p99: number
  readonly failures: number
  readonly breakdown?: Breakdown
  /** Redis commands per create during the burst, by command (INFO commandstats; scripts' inner commands included) */
  readonly redisCommands: ReadonlyArray<readonly [string, number]>
}

export const cpuBurst = async (infra: BenchInfra, creates: number, lanes: number, profileDir?: string): Promise<CpuRun> => {
  const flags = profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]
  const run = await startProcesses(infra, 1, { MAX_PARALLEL_SERVICES: String(lanes) }, flags)
  const [service] = run.replicas
  if (service === undefined) throw new Error('no service process')
  const redis = new Redis(infra.redisUrl, { maxRetriesPerRequest: 3 })
  let stopped = false
  try {
    const idleFrom = await service.cpuMs()
    await sleep(IDLE_SAMPLE_MS)
    const idleCpuPerS = (((await service.cpuMs()) - idleFrom) / IDLE_SAMPLE_MS) * 1000
    const commandsBefore = await commandCounts(redis)
    const before = await service.cpuMs()
    const messages = createRequests(`b11-${randomUUID().slice(0, 6)}`, creates).map(createMessage)
    const timed = await timeAnswers(infra, () => publishAll(infra.producer, RequestTopics.create, messages), 180_000 + creates * 100)
    const spent = (await service.cpuMs()) - before
    const redisCommands = commandsPer(commandsBefore, await commandCounts(redis), creates)
    const cpuMsPerCreate = spent / creates
    const netCpuMsPerCreate = Math.max(0, spent - (idleCpuPerS * timed.spanMs) / 1000) / creates
    await run.stop()
    stopped = true
    const files = profileDir === undefined ? [] : (await readdir(profileDir)).filter((f) => f.endsWith('.cpuprofile'))
    const file = files[0] === undefined || profileDir === undefined ? undefined : join(profileDir, files[0])
    const breakdown = file === undefined ? undefined : await readBreakdown(file)
    return {
      lanes,
      rate: timed.rate,
      cpuMsPerCreate,
      netCpuMsPerCreate,
      idleCpuPerS,
      p99: percentile(timed.latencies, 99),
      failures: timed.failures,
      ...(breakdown === undefined ? {} : { breakdown }),
      redisCommands,
    }
  } finally {
    redis.disconnect()
    if (!stopped) await run.stop()
  }
}

/** How long the idle process is watched with the shipped Kafka settings (a 5 s long poll: a few polls); smoke: proves the code only. */
const IDLE_AT_DEFAULTS_MS = 15_000
const IDLE_AT_DEFAULTS_SMOKE_MS = 2_000

/**
 * The CPU one idle replica spends with the shipped settings: the bench's 20 ms polls (the mock
 * broker's quirk, see kafka-bench.ts) are left out, so the consumer long-polls as it would against
 * a real broker; what is left is heartbeats, timers and metrics. After a short settle, so start-up
 * is not counted.
 */
export const idleAtShippedDefaults = async (infra: BenchInfra, watchMs = IDLE_AT_DEFAULTS_MS): Promise<number> => {
  const run = await startProcesses(infra, 1, {}, [], {})
  try {
    const [service] = run.replicas
    if (service === undefined) throw new Error('no service process')
    await sleep(2000)
    const before = await service.cpuMs()
    await sleep(watchMs)
    return (((await service.cpuMs()) - before) / watchMs) * 1000
  } finally {
    await run.stop()
  }
}

/**
 * V8 on a 23 GiB machine grows its heap lazily (it may take GiBs before collecting hard), so an
 * unconstrained RSS overstates what the process needs; with the old space capped as a 512 Mi
 * container would leave it (the rest for code, buffers and the young space) it shows whether the
 * burst fits.
 */
export const CONTAINED_HEAP_FLAG = '--max-old-space-size=320'

export const memoryBurst = async (infra: BenchInfra, n: number, log: (line: string) => void, nodeFlags: readonly string[] = []) => {
  const run = await startProcesses(infra, 1, { SCRAPE_CONFIG_BACKEND: 'scrapeconfig' }, nodeFlags)
  const [service] = run.replicas
  if (service === undefined) throw new Error('no service process')
  try {
    const idle = await service.rssBytes()
    const messages = createRequests(`b11m-${randomUUID().slice(0, 6)}`, n).map(createMessage)
    const started = performance.now()
    const { published } = await publishBounded(infra, messages, Math.max(300_000, n * 100), (answered) => log(`  B11 memory: ${answered} of ${n} answered`))
    const failures = [...published.keys()].filter((ref) => infra.collector.results.get(ref)?.status !== 'SUCCESS').length
    return { idle, peak: await service.peakRssBytes(), after: await service.rssBytes(), failures, spanS: (performance.now() - started) / 1000 }
  } finally {
    await run.stop()
  }
}

export const runB11 = async (infra: BenchInfra, sizes: Sizes, log: (line: string) => void): Promise<Figure[]> => {
  const creates = sizes.b1Service
  const profileDir = await mkdtemp(join(tmpdir(), 'telemetry-client-b11-'))
  const main = await cpuBurst(infra, creates, DEFAULT_LANES, profileDir)
  log(`  B11 CPU: ${fmt(main.cpuMsPerCreate, 2)} ms per create at ${fmt(main.rate)} creates/s (MAX_PARALLEL_SERVICES=${DEFAULT_LANES}, the default)`)
  const others: CpuRun[] = []
  for (const lanes of LANE_BOUNDS.filter((l) => l !== DEFAULT_LANES && sizes.mode !== 'smoke')) {
    const run = await cpuBurst(infra, creates, lanes)
    log(`  B11 CPU: ${fmt(run.cpuMsPerCreate, 2)} ms per create at ${fmt(run.rate)} creates/s (MAX_PARALLEL_SERVICES=${lanes})`)
    others.push(run)
  }
  const httpClients = await runHttpClientCost(sizes.mode === 'smoke' ? 300 : 3000, log)
  const idleWatchMs = sizes.mode === 'smoke' ? IDLE_AT_DEFAULTS_SMOKE_MS : IDLE_AT_DEFAULTS_MS
  const idleShipped = await idleAtShippedDefaults(infra, idleWatchMs)
  log(`  B11 idle: ${fmt(idleShipped, 0)} CPU ms/s with the shipped Kafka settings`)
  const contained = await memoryBurst(infra, sizes.b9Services, log, [CONTAINED_HEAP_FLAG])
  // smoke: one process proves the code; the unconstrained figure is the capped run's
  const memory = sizes.mode === 'smoke' ? contained : await memoryBurst(infra, sizes.b9Services, log)
  log(`  B11 memory: peak RSS ${fmt(memory.peak / MiB)} MiB during ${sizes.b9Services} creates`)
  log(`  B11 memory (${CONTAINED_HEAP_FLAG}): peak RSS ${fmt(contained.peak / MiB)} MiB during ${sizes.b9Services} creates`)
  const cpuNotes = [
    `the service alone in its own process (node ${process.version}, compiled by tsc and run by plain node as the image runs it), simulators, producer and collector in the bench process; /proc/PID/stat user+system during one burst of ${creates} creates (secret mode, base profile) over the creates; ${fmt(main.rate)} creates/s, p99 ${fmt(main.p99, 0)} ms, non-SUCCESS ${main.failures}`,
    `idle, the process spends ${fmt(main.idleCpuPerS, 0)} CPU ms/s (Kafka polls every ${SERVICE_CONSUMER.maxWaitTimeInMs} ms, heartbeats, timers); less that over the burst's span: ${fmt(main.netCpuMsPerCreate, 2)} ms per create (small bursts are dominated by it)`,
    ...(main.breakdown === undefined ? [] : [`breakdown from \`node --cpu-prof\` of that process (${main.breakdown.file}), see "CPU per create" below`]),
  ]
  const figures: Figure[] = [
    {
      id: 'B11',
      name: 'CPU ms per create (the service process alone) [base]',
      value: main.cpuMsPerCreate,
      unit: 'ms',
      target: '<= 4 ms',
      pass: main.cpuMsPerCreate <= 4,
      runs: [main.cpuMsPerCreate],
      notes: cpuNotes,
    },
    ...[main, ...others]
      .sort((a, b) => a.lanes - b.lanes)
      .map((r) =>
        informative(
          'B11',
          `service process with MAX_PARALLEL_SERVICES=${r.lanes}: creates/s [base]`,
          r.rate,
          'creates/s',
          [r.rate],
          [`${fmt(r.cpuMsPerCreate, 2)} CPU ms per create, p99 ${fmt(r.p99, 0)} ms, non-SUCCESS ${r.failures}`],
        ),
      ),
    {
      id: 'B11',
      name: `peak RSS of the service process during a burst of ${sizes.b9Services.toLocaleString('en-US')} creates (scrapeconfig mode)`,
      value: memory.peak / MiB,
      unit: 'MiB',
      target: "<= deploy/'s 512 Mi limit",
      pass: memory.peak <= CONTAINER_LIMIT_BYTES,
      runs: [memory.peak / MiB],
      notes: [
        `VmHWM of the service's pid (what the container limit counts: heap, code, buffers); ${fmt(memory.idle / MiB)} MiB RSS before the burst, ${fmt(memory.after / MiB)} MiB after; ${fmt(memory.spanS, 0)} s; non-SUCCESS ${memory.failures}; published as in B9 (sends of 500, at most 8,000 unanswered); V8 unconstrained (it grows lazily on a big machine): see the next row`,
      ],
    },
    {
      id: 'B11',
      name: `peak RSS of the service process during the same burst, old space capped (${CONTAINED_HEAP_FLAG})`,
      value: contained.peak / MiB,
      unit: 'MiB',
      target: "<= deploy/'s 512 Mi limit, every answer SUCCESS",
      pass: contained.peak <= CONTAINER_LIMIT_BYTES && contained.failures === 0,
      runs: [contained.peak / MiB],
      notes: [
        `the heap a 512 Mi container leaves; ${fmt(contained.idle / MiB)} MiB RSS before the burst, ${fmt(contained.after / MiB)} MiB after; ${fmt(contained.spanS, 0)} s; non-SUCCESS ${contained.failures}`,
      ],
    },
  ]
  figures.push(
    informative(
      'B11',
      'CPU of one idle service process, shipped settings (KAFKA_MAX_WAIT_MS 5000)',
      idleShipped,
      'ms/s',
      [idleShipped],
      [
        `/proc/PID/stat over ${idleWatchMs / 1000} s with no requests, the Kafka consumer at its defaults (a 5 s long poll, 3 s heartbeats) instead of the bench's 20 ms polls (${fmt(main.idleCpuPerS, 0)} CPU ms/s idle, in the CPU-per-create rows): what a replica costs while waiting (${fmt(idleShipped / 10, 1)}% of a core)`,
      ],
    ),
    ...httpClients,
    redisCommandsFigure(main),
  )
  const breakdown = main.breakdown
  if (breakdown !== undefined) {
    const first = figures[0]
    if (first !== undefined)
      first.detail = `CPU per create, by part (B11's profile of the service process; innermost frame of a part wins, so JSON.stringify under the Grafana client is "dashboard build + JSON encode"):\n\n${breakdownTable(breakdown, main.cpuMsPerCreate)}`
  }
  return figures
}

/** The Redis a deployment shares: what one create costs it, from the default-lanes burst. */
const redisCommandsFigure = (run: CpuRun): Figure => {
  const scripts = run.redisCommands.filter(([name]) => name.startsWith('eval')).reduce((sum, [, n]) => sum + n, 0)
  const total = run.redisCommands.reduce((sum, [, n]) => sum + n, 0)
  return informative(
    'B11',
    'Redis commands per create (the service process, INFO commandstats)',
    total,
    'commands',
    [total],
    [
      `${fmt(scripts, 2)} of them script calls (EVALSHA: one round trip each, whose inner commands Redis counts too); by command: ${run.redisCommands.map(([name, n]) => `${name} ${fmt(n, 2)}`).join(', ')}`,
    ],
  )
}

interface ScaleRun {
  readonly replicas: number
  readonly rate: number
  readonly lost: number
  readonly objects: number
  readonly repeatedAnswers: number
  readonly failures: number
}

const scaleRun = async (infra: BenchInfra, replicas: number, creates: number): Promise<ScaleRun> => {
  const run = await startProcesses(infra, replicas, { SCRAPE_CONFIG_BACKEND: 'scrapeconfig' })
  try {
    const repeatsBefore = infra.collector.repeatedAnswers()
    const messages = createRequests(`b12-${replicas}-${randomUUID().slice(0, 6)}`, creates).map(createMessage)
    const timed = await timeAnswers(infra, () => publishAll(infra.producer, RequestTopics.create, messages), 180_000 + creates * 100)
    const objects = run.stack.scrapeConfigObjects().length
    return {
      replicas,
      rate: timed.rate,
      lost: Math.max(0, creates - objects),
      objects,
      repeatedAnswers: infra.collector.repeatedAnswers() - repeatsBefore,
      failures: timed.failures,
    }
  } finally {
    await run.stop()
  }
}

export const runB12 = async (infra: BenchInfra, sizes: Sizes, log: (line: string) => void): Promise<Figure[]> => {
  const creates = sizes.b1Service
  const runs: ScaleRun[] = []
  // smoke: one and two processes prove the group sharing; the figures need 1, 2 and 4
  for (const replicas of sizes.mode === 'smoke' ? [1, 2] : [1, 2, 4]) {
    const run = await scaleRun(infra, replicas, creates)
    log(`  B12: ${replicas} process(es): ${fmt(run.rate)} creates/s, ${run.objects} objects, ${run.repeatedAnswers} repeated answers`)
    runs.push(run)
  }
  const one = runs[0]?.rate ?? 1
  return runs.map((r): Figure => ({
    id: 'B12',
    name: `scale-out, scrapeconfig mode: ${r.replicas} service process(es) in one consumer group: creates/s (x${fmt(r.rate / one, 2)} vs one)`,
    value: r.rate,
    unit: 'creates/s',
    target: '0 lost or duplicated',
    pass: r.lost === 0 && r.objects === creates && r.failures === 0,
    runs: [r.rate],
    notes: [
      `${creates} creates published at once (4 partitions per request topic); ${r.objects} ScrapeConfig objects for ${creates} services (lost ${r.lost}); non-SUCCESS ${r.failures}; answers repeated for one request: ${r.repeatedAnswers} (a repeated answer is the identical recorded result, re-sent after a rebalance)`,
    ],
  }))
}
