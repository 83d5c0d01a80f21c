/**
 * B9: 100,000 services registered through the service in scrapeconfig mode (one ScrapeConfig
 * object per service, SCRAPE_CONFIG_BACKEND=scrapeconfig) against the Kubernetes simulator, under
 * B1's base latency profile (a ScrapeConfig GET 5 ms, its apply 20 ms, Grafana 50 ms per call).
 *
 * N creates for distinct services are published in sends of 500, at most 8,000 unanswered at a
 * time (the mock broker's limit, see BACKLOG); the rate is N over the span from the first publish
 * to the last answer, as in B1. The secret cannot hold N jobs
 * (~2,400, see C), so the ratio's base is B1's secret-mode burst measured in the same run with
 * the same profile at a size the secret holds.
 *
 * Memory, all measured in this one process (service, simulators, bench producer and collector):
 * heap after a forced GC before the burst, after every answer (the simulator then holds N
 * objects), and again once the lanes closed and the simulator's objects were deleted, so the
 * simulator's share and what the service keeps are told apart. Redis: `INFO memory` used_memory
 * after minus before, over N.
 */
import { Redis } from 'ioredis'
import { randomUUID } from 'node:crypto'
import { DEV_SCRAPE_CONFIG } from '../dev/dev-stack.js'
import { RequestTopics } from '../src/codecs/topics.js'
import { serviceBurst } from './b1-throughput.js'
import { forceGc, heapAfterGc } from './b6-memory.js'
import { informative, type Figure } from './figure.js'
import type { BenchInfra } from './infra.js'
import { BASE_PROFILE } from './profiles.js'
import { usedMemory } from './redis-memory.js'
import { createMessage, createRequests, publishAll, type OutgoingMessage } from './requests.js'
import type { Sizes } from './sizes.js'
import { fmt, percentile, sleep, waitUntil } from './stats.js'
import { startServiceUnderTest } from './sut.js'
import type { RunningService } from '../src/runtime/service.js'

const openLanes = async (service: RunningService): Promise<number> => {
  const metric = service.metrics.registry.getSingleMetric('telemetry_open_lanes')
  return metric === undefined ? 0 : ((await metric.get()).values[0]?.value ?? 0)
}

const MiB = 1024 * 1024

interface ScaleRun {
  readonly n: number
  readonly rate: number
  readonly spanMs: number
  readonly failures: number
  readonly p99Ms: number
  readonly objects: number
  /** heap after GC: before the burst, after every answer, after lanes closed and the simulator emptied */
  readonly heap: { readonly before: number; readonly answered: number; readonly emptied: number; readonly peak: number }
  readonly redisBytes: number
}

/**
 * librdkafka's mock broker keeps about 5 MB per partition and drops the oldest messages past it
 * (a first run that published all 100,000 at once lost half of them before the service fetched
 * them: committed offsets at the end, no trace in Redis). So requests are published in chunks of
 * 500 while at most BACKLOG are unanswered, a sustained load that never outgrows the broker.
 */
const BACKLOG = 8000

/** Publishes every message, keeping the unanswered backlog bounded; returns each ref's publish time and the peak heap seen. */
export const publishBounded = async (
  infra: BenchInfra,
  messages: readonly OutgoingMessage[],
  timeoutMs: number,
  onProgress: (answered: number) => void,
): Promise<{ published: Map<string, number>; peak: number }> => {
  const base = infra.collector.results.size
  const answered = () => infra.collector.results.size - base
  const published = new Map<string, number>()
  let peak = 0
  let lastLog = performance.now()
  const deadline = Date.now() + timeoutMs
  for (let sent = 0; sent < messages.length || answered() < messages.length;) {
    if (Date.now() > deadline) throw new Error(`B9: ${answered()} of ${messages.length} answered after ${timeoutMs} ms`)
    if (sent < messages.length && sent - answered() < BACKLOG) {
      const part = messages.slice(sent, sent + 500)
      for (const [ref, at] of await publishAll(infra.producer, RequestTopics.create, part)) published.set(ref, at)
      sent += part.length
      continue
    }
    peak = Math.max(peak, process.memoryUsage().heapUsed)
    if (performance.now() - lastLog > 30_000) {
      lastLog = performance.now()
      onProgress(answered())
    }
    await sleep(100)
  }
  return { published, peak }
}

const scaleBurst = async (infra: BenchInfra, n: number, log: (line: string) => void): Promise<ScaleRun> => {
  const gc = forceGc()
  const redis = new Redis(infra.redisUrl, { maxRetriesPerRequest: 3 })
  const sut = await startServiceUnderTest(infra, BASE_PROFILE, { SCRAPE_CONFIG_BACKEND: 'scrapeconfig' })
  try {
    const redisBefore = await usedMemory(redis)
    const before = await heapAfterGc(gc)
    const timing = await (async () => {
      // scoped: the requests and their publish times are the bench's, not the service's heap
      const messages = createRequests(`b9-${randomUUID().slice(0, 6)}`, n).map(createMessage)
      const refs = messages.map((m) => m.ref ?? '')
      const started = performance.now()
      const { published, peak } = await publishBounded(infra, messages, Math.max(120_000, n * 30), (answered) =>
        log(
          `  B9: ${answered.toLocaleString('en-US')} of ${n.toLocaleString('en-US')} answered, ${fmt((answered / (performance.now() - started)) * 1000)} creates/s so far`,
        ),
      )
      let first = Number.POSITIVE_INFINITY
      let last = 0
      let failures = 0
      const latencies = refs.map((ref) => {
        const seen = infra.collector.results.get(ref)
        const sent = published.get(ref) ?? 0
        if (seen === undefined) throw new Error(`B9: no answer for ${ref}`)
        if (seen.status !== 'SUCCESS') failures += 1
        first = Math.min(first, sent)
        last = Math.max(last, seen.at)
        return seen.at - sent
      })
      return { spanMs: last - first, failures, p99Ms: percentile(latencies, 99), peak }
    })()
    const objects = sut.stack.scrapeConfigObjects().length
    const redisAfter = await usedMemory(redis)
    // the lanes close after LANE_IDLE_MS (2 s in the dev stack); then only what the service keeps is left
    await waitUntil(async () => (await openLanes(sut.service)) === 0, 30_000, 'the idle lanes to close', 100)
    const answered = await heapAfterGc(gc)
    for (const object of sut.stack.scrapeConfigObjects()) {
      const metadata = object['metadata'] as { readonly name?: unknown } | undefined
      if (typeof metadata?.name === 'string') sut.stack.kube.deleteScrapeConfig(DEV_SCRAPE_CONFIG.namespace, metadata.name)
    }
    await sleep(50)
    const emptied = await heapAfterGc(gc)
    return {
      n,
      rate: (n / timing.spanMs) * 1000,
      spanMs: timing.spanMs,
      failures: timing.failures,
      p99Ms: timing.p99Ms,
      objects,
      heap: { before, answered, emptied, peak: timing.peak },
      redisBytes: redisAfter - redisBefore,
    }
  } finally {
    await sut.stop()
    await redis.quit().catch(() => undefined)
  }
}

export const runB9 = async (infra: BenchInfra, sizes: Sizes, log: (line: string) => void): Promise<Figure[]> => {
  const secret = await serviceBurst(infra, BASE_PROFILE, sizes.b9SecretServices, 'b9-secret')
  log(`  B9 secret mode, ${sizes.b9SecretServices} services: ${fmt(secret.rate)} creates/s, ${secret.secretWrites} secret writes`)
  const run = await scaleBurst(infra, sizes.b9Services, log)
  const ratio = run.rate / secret.rate
  const n = run.n.toLocaleString('en-US')
  const m = sizes.b9SecretServices.toLocaleString('en-US')
  const { heap } = run
  log(
    `  B9 scrapeconfig mode, ${n} services: ${fmt(run.rate)} creates/s (x${fmt(ratio, 2)} vs secret mode at ${m}), ${run.objects} objects, ${fmt(run.redisBytes / run.n, 0)} Redis bytes per service`,
  )
  const perService = (bytes: number) => bytes / run.n
  return [
    informative(
      'B9',
      `scrapeconfig mode, N=${n}: creates/s, publish → result [base] (x${fmt(ratio, 2)} vs secret mode at ${m})`,
      run.rate,
      'creates/s',
      [run.rate],
      [
        `one run of ${n} creates for distinct services, published in sends of 500 with at most ${BACKLOG.toLocaleString('en-US')} unanswered (the mock broker keeps ~5 MB per partition), against the simulator; ${fmt(run.spanMs / 1000, 0)} s first publish → last answer; p99 ${fmt(run.p99Ms / 1000, 1)} s publish → result`,
        `the ratio's base is secret mode at ${m} services (${fmt(secret.rate)} creates/s, ${secret.secretWrites} secret writes) in the same run, same simulators and profile: the secret holds ~2,400 jobs, so secret mode cannot run N`,
        `each create is a ScrapeConfig GET (5 ms) + server-side apply (20 ms), at most SCRAPE_CONFIG_MAX_IN_FLIGHT=16 at once, plus the two Grafana saves; non-SUCCESS answers: ${run.failures}`,
      ],
    ),
    {
      id: 'B9',
      name: `scrapeconfig mode: ScrapeConfig objects in the simulator after ${n} creates`,
      value: run.objects,
      unit: 'objects',
      target: `= ${n}, every answer SUCCESS`,
      pass: run.objects === run.n && run.failures === 0,
      runs: [run.objects],
      notes: [`counted in ${DEV_SCRAPE_CONFIG.namespace} after the last answer; non-SUCCESS answers: ${run.failures}`],
    },
    informative(
      'B9',
      `scrapeconfig mode: heap per service after ${n} creates (service + the simulator's objects, lanes closed)`,
      perService(heap.answered - heap.before),
      'bytes',
      [perService(heap.answered - heap.before)],
      [
        `heapUsed after a forced GC: ${fmt(heap.before / MiB)} MiB before the burst, ${fmt(heap.answered / MiB)} MiB once every answer was in and the lanes had closed; the Kubernetes simulator runs in this process and holds the N objects`,
      ],
    ),
    informative(
      'B9',
      `scrapeconfig mode: of which the simulator's ${n} ScrapeConfig objects`,
      perService(heap.answered - heap.emptied),
      'bytes',
      [perService(heap.answered - heap.emptied)],
      [`heap after deleting every object from the simulator: ${fmt(heap.emptied / MiB)} MiB`],
    ),
    informative(
      'B9',
      `scrapeconfig mode: heap per service left in the process (Kubernetes simulator emptied)`,
      perService(heap.emptied - heap.before),
      'bytes',
      [perService(heap.emptied - heap.before)],
      [
        "what is left once the lanes closed and the Kubernetes simulator was emptied: mostly the Grafana simulator, also in this process (two dashboards and their version records per service), and the bench collector's record of each answer; not separated further (B6 measures the service's own per-lane heap)",
      ],
    ),
    informative(
      'B9',
      `scrapeconfig mode: peak heap during the burst of ${n}`,
      heap.peak / MiB,
      'MiB',
      [heap.peak / MiB],
      [
        "heapUsed sampled every 250 ms without forcing GC (garbage included): the backlog of N accepted requests waiting for a lane, open lanes, the simulator's objects, the bench's requests",
      ],
    ),
    informative(
      'B9',
      `scrapeconfig mode: Redis bytes per service after ${n} creates`,
      run.redisBytes / run.n,
      'bytes',
      [run.redisBytes / run.n],
      [
        `INFO memory used_memory after minus before, over N: ${fmt(run.redisBytes / MiB)} MiB for ${n} services (each service's stream of one finished create, version, inbox ids, snapshot, and its entries in the indexes)`,
      ],
    ),
  ]
}
