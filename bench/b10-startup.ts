/**
 * B10: start-up with 100,000 services in Redis: the time from `startService` until /readyz
 * answers 200, and the heap once ready, against a start on an empty Redis in the same run.
 *
 * Seeding goes through the import path (state/store/operator-log.ts `writeImportedLog`, what
 * `telemetry-client import` writes): each service's log is folded in memory the way the service
 * would have written it (`decide` picks each step, B8's `outcomeOf` records its success) and
 * written with its stream, inbox ids, snapshot and index entries. Most services hold one finished
 * create; `b10Pending` of them hold a create that was accepted but not carried out (a crash right
 * after the inbox write), so they are in the pending index and the new process resumes them.
 * Those are re-seeded before every start, so each start finds the same pending work.
 *
 * Also reported: the time until the pending work is done (the pending index empty).
 */
import { Redis } from 'ioredis'
import { randomUUID } from 'node:crypto'
import type { ServiceEvent } from '../src/codecs/events.js'
import { RequestTopics } from '../src/codecs/topics.js'
import { startDevStack } from '../dev/dev-stack.js'
import { startService } from '../src/runtime/service.js'
import { decide } from '../src/state/decide.js'
import { evolve } from '../src/state/evolve.js'
import { initialServiceState, type ServiceState } from '../src/state/service-state.js'
import { indexKeys } from '../src/state/store/redis-keys.js'
import { writeImportedLog } from '../src/state/store/operator-log.js'
import { desiredFingerprints } from '../src/effects/desired-state.js'
import { createLogger } from '../src/support/logger.js'
import { acceptedRequest, samplePayloadFor } from './accepted-request.js'
import { outcomeOf } from './b8-redis-retention.js'
import { forceGc, heapAfterGc } from './b6-memory.js'
import { informative, type Figure } from './figure.js'
import type { BenchInfra } from './infra.js'
import { benchServiceId } from './jobs.js'
import { fastForwardGroup, SERVICE_CONSUMER } from './kafka-bench.js'
import { applyProfile, BASE_PROFILE } from './profiles.js'
import { usedMemory } from './redis-memory.js'
import type { Sizes } from './sizes.js'
import { fmt, median, pool, repeat, sleep, waitUntil } from './stats.js'

const MiB = 1024 * 1024
const T0 = Date.parse('2024-10-30T09:28:34.000Z')
const desired = desiredFingerprints({ prometheusDatasourceUid: 'prometheus', lokiDatasourceUid: 'loki' })

/** A create accepted for `serviceId`. */
const acceptedCreate = (serviceId: string, at: string): ServiceEvent =>
  acceptedRequest({ requestId: randomUUID(), at, request: { kind: 'create', payload: samplePayloadFor(serviceId) }, origin: 'create/0@1' })

/** One create's log: only accepted (`finished` false), or carried out to its published result. */
const createLog = (serviceId: string, finished: boolean): { state: ServiceState; events: ServiceEvent[] } => {
  const at = new Date(T0).toISOString()
  const events = [acceptedCreate(serviceId, at)]
  let state = evolve(initialServiceState(serviceId), events[0] as ServiceEvent)
  if (finished) {
    for (let step = decide(state, desired); step.type !== 'idle'; step = decide(state, desired)) {
      const outcome = outcomeOf(step, state, at)
      events.push(...outcome)
      state = outcome.reduce(evolve, state)
    }
  }
  return { state, events }
}

const seed = async (redis: Redis, prefix: string, ids: readonly string[], finished: boolean): Promise<void> =>
  pool(ids, 64, async (serviceId) => {
    const { state, events } = createLog(serviceId, finished)
    await writeImportedLog(
      { redis, prefix },
      state,
      events.map((event, i) => ({ version: i + 1, event })),
      T0,
    )
  })

interface StartRun {
  /** ms from calling startService until /readyz answered 200 */
  readonly readyMs: number
  /** ms until startService returned (Redis connected, consumer subscribed) */
  readonly startedMs: number
  /** heapUsed after GC once ready, minus before the start */
  readonly heapBytes: number
  /** ms from the start until the pending index was empty (undefined: nothing pending) */
  readonly drainedMs: number | undefined
}

const startOnce = async (infra: BenchInfra, instance: string, pendingIds: readonly string[], redis: Redis): Promise<StartRun> => {
  const gc = forceGc()
  const [stack] = await Promise.all([
    startDevStack({ redisUrl: infra.redisUrl, kafkaBrokers: infra.brokers.join(','), instance }),
    fastForwardGroup(infra.kafka, `telemetry-client-${instance}`, Object.values(RequestTopics)),
  ])
  applyProfile(stack, BASE_PROFILE)
  const prefix = stack.config.redis.keyPrefix
  await seed(redis, prefix, pendingIds, false)
  const before = await heapAfterGc(gc)
  const t0 = performance.now()
  const service = await startService(stack.config, { logger: createLogger('silent'), consumerTuning: SERVICE_CONSUMER, sweepIntervalMs: 30_000 })
  try {
    const startedMs = performance.now() - t0
    await waitUntil(async () => (await fetch(`${service.http.url}/readyz`).catch(() => undefined))?.status === 200, 60_000, '/readyz', 10)
    const readyMs = performance.now() - t0
    const heapBytes = (await heapAfterGc(gc)) - before
    let drainedMs: number | undefined
    if (pendingIds.length > 0) {
      await waitUntil(async () => (await redis.zcard(indexKeys(prefix).pending)) === 0, 300_000, 'the pending work to be done', 50)
      drainedMs = performance.now() - t0
    }
    return { readyMs, startedMs, heapBytes, drainedMs }
  } finally {
    await service.stop()
    await stack.stop()
    // let the stopped consumer leave before the next start joins a group on the same broker
    await sleep(200)
  }
}

export const runB10 = async (infra: BenchInfra, sizes: Sizes, log: (line: string) => void): Promise<Figure[]> => {
  const redis = new Redis(infra.redisUrl, { maxRetriesPerRequest: 3 })
  try {
    const run = randomUUID().slice(0, 6)
    const seeded = `b10-seeded-${run}`
    const empty = `b10-empty-${run}`
    const ids = Array.from({ length: sizes.b10Services }, (_, i) => benchServiceId(i))
    const pendingIds = ids.slice(0, sizes.b10Pending)
    const memoryBefore = await usedMemory(redis)
    const seedStart = performance.now()
    // the same prefix the dev stack derives from its instance name
    await seed(redis, `tc:${seeded}:`, ids.slice(sizes.b10Pending), true)
    const seedS = (performance.now() - seedStart) / 1000
    const finished = sizes.b10Services - sizes.b10Pending
    const redisBytes = (await usedMemory(redis)) - memoryBefore
    const n = ids.length.toLocaleString('en-US')
    log(`  B10: seeded ${n} services (${sizes.b10Pending} of them pending) in ${fmt(seedS)} s, ${fmt(redisBytes / MiB)} MiB in Redis`)

    const emptyRuns: StartRun[] = []
    const seededRuns = await repeat(sizes.runs, async (i) => {
      emptyRuns.push(await startOnce(infra, empty, [], redis))
      const one = await startOnce(infra, seeded, pendingIds, redis)
      log(
        `  B10 run ${i + 1}: empty Redis ready in ${fmt(emptyRuns[i]?.readyMs ?? Number.NaN, 0)} ms, ${n} services ready in ${fmt(one.readyMs, 0)} ms (pending done after ${fmt(one.drainedMs ?? Number.NaN, 0)} ms)`,
      )
      return one
    })
    const ready = median(seededRuns.map((r) => r.readyMs))
    const readyEmpty = median(emptyRuns.map((r) => r.readyMs))
    const heap = median(seededRuns.map((r) => r.heapBytes))
    const heapEmpty = median(emptyRuns.map((r) => r.heapBytes))
    const ms = (values: readonly number[]) => values.map((v) => fmt(v, 0)).join(', ')
    return [
      informative(
        'B10',
        `start-up with ${n} services in Redis: start → /readyz 200 (x${fmt(ready / readyEmpty, 2)} vs empty Redis)`,
        ready,
        'ms',
        seededRuns.map((r) => r.readyMs),
        [
          `empty Redis in the same run: ${ms(emptyRuns.map((r) => r.readyMs))} ms; with ${n} services: ${ms(seededRuns.map((r) => r.readyMs))} ms; startService returned after ${ms(seededRuns.map((r) => r.startedMs))} ms (empty: ${ms(emptyRuns.map((r) => r.startedMs))} ms), the rest is the Kafka group join`,
          `start-up reads only the pending index (EventStore.pendingServices, ZRANGE of ${sizes.b10Pending} ids) and wakes those services; the ${finished.toLocaleString('en-US')} finished services are not read at all (retention runs on its own interval, not at start)`,
        ],
      ),
      informative(
        'B10',
        `start-up with ${n} services in Redis: empty-Redis start → /readyz 200`,
        readyEmpty,
        'ms',
        emptyRuns.map((r) => r.readyMs),
      ),
      informative(
        'B10',
        `start-up with ${n} services in Redis: heap growth until ready (empty Redis: ${fmt(heapEmpty / MiB)} MiB)`,
        heap / MiB,
        'MiB',
        seededRuns.map((r) => r.heapBytes / MiB),
        [
          `heapUsed after a forced GC once /readyz answered, minus before startService (simulators already up); empty Redis: ${emptyRuns.map((r) => fmt(r.heapBytes / MiB)).join(', ')} MiB; while ready the ${sizes.b10Pending} pending creates are being carried out, so their lanes are part of it`,
        ],
      ),
      informative(
        'B10',
        `start-up with ${n} services in Redis: until the ${sizes.b10Pending} pending creates are done`,
        median(seededRuns.map((r) => r.drainedMs ?? Number.NaN)),
        'ms',
        seededRuns.map((r) => r.drainedMs ?? Number.NaN),
        [
          'from startService until the pending index is empty: each resumed create registers its job (secret mode, group-committed) and saves two dashboards under the base profile',
        ],
      ),
      informative(
        'B10',
        `seeding ${n} services through the import path (writeImportedLog, 64 at once)`,
        finished / seedS,
        'services/s',
        [finished / seedS],
        [
          `${fmt(seedS)} s for the ${finished.toLocaleString('en-US')} finished services (the pending ones are written before each start); Redis used_memory grew by ${fmt(redisBytes / MiB)} MiB = ${fmt(redisBytes / finished, 0)} bytes per finished service`,
        ],
      ),
    ]
  } finally {
    await redis.quit().catch(() => undefined)
  }
}
