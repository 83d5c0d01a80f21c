/**
 * B5: replay, i.e. rebuilding every snapshot from the log. N events (create cycles of six events:
 * accepted, job registered, two dashboards, completed, result published) are appended across M
 * services with the event store (one Lua append per service, 50 in flight), then every service is
 * rebuilt with `readEvents` + `fold` (what `load` does without a snapshot), 8 services at a time.
 * Informative: the operator replay (src/ops/log/replay.ts: sequential, compares and writes snapshots),
 * and the in-memory fold alone (no Redis, no decoding).
 */
import { isLeft } from 'fp-ts/lib/Either.js'
import { Redis } from 'ioredis'
import { randomUUID } from 'node:crypto'
import type { ServiceEvent } from '../src/codecs/events.js'
import { replayServices } from '../src/ops/log/replay.js'
import { decodeEvent } from '../src/state/event-codec.js'
import { createEventStore } from '../src/state/store/event-store.js'
import { fold } from '../src/state/evolve.js'
import { initialServiceState } from '../src/state/service-state.js'
import { acceptedRequest, freshKogito, samplePayloadFor } from './accepted-request.js'
import { informative, type Figure } from './figure.js'
import { benchServiceId } from './jobs.js'
import type { Sizes } from './sizes.js'
import { fmt, median, pool, repeat } from './stats.js'

const decoded = (raw: Record<string, unknown>): ServiceEvent => {
  const event = decodeEvent(JSON.stringify(raw))
  if (isLeft(event)) throw new Error(`bench event does not decode: ${event.left}`)
  return event.right
}

/** One create's six events for `serviceId`, as the service records them. */
const cycleTemplate = (serviceId: string): readonly ServiceEvent[] => {
  const meta = { v: 1, requestId: 'template', at: '2024-10-30T09:28:34.500Z' }
  const kogito = freshKogito()
  const result = {
    topic: 'sonata-service-dashboard-result',
    key: serviceId,
    value: JSON.stringify({
      specversion: '1.0',
      id: randomUUID(),
      source: '/telemetry-client',
      type: 'sonata-service-dashboard-result',
      ...kogito,
      kogitoprocrefid: kogito.kogitoprocinstanceid,
      data: {
        dashboardId: `m-${serviceId}`,
        serviceId,
        metricsDashboardUrl: `http://grafana.local:3000/d/m-${serviceId}`,
        logsDashboardUrl: `http://grafana.local:3000/d/l-${serviceId}`,
        dashboardDataOrderStatus: 'SUCCESS',
        dashboardDataOrderMessage: 'Telemetry was successful',
      },
    }),
  }
  const dashboard = (role: string) => ({
    ...meta,
    type: 'DashboardUpserted',
    role,
    uid: `${role}-${serviceId}`.slice(0, 40),
    id: 7,
    url: `/d/${role}-${serviceId}`,
    version: 1,
    folderUid: `folder-${role}`,
    fingerprint: '0123456789abcdef',
  })
  return [
    acceptedRequest({
      requestId: meta.requestId,
      at: meta.at,
      request: { kind: 'create', payload: samplePayloadFor(serviceId) },
      kogito,
      origin: 'telemetry-create-prometheus-job-and-grafana-dashboard/0@1',
    }),
    decoded({ ...meta, type: 'ScrapeJobRegistered', jobName: serviceId, fingerprint: 'fedcba9876543210' }),
    decoded(dashboard('metrics')),
    decoded(dashboard('logs')),
    decoded({ ...meta, type: 'RequestCompleted', status: 'SUCCESS', resultId: randomUUID(), result }),
    decoded({ ...meta, type: 'ResultPublished', resultId: randomUUID() }),
  ]
}

const eventsFor = (serviceId: string, count: number): ServiceEvent[] => {
  const template = cycleTemplate(serviceId)
  const out: ServiceEvent[] = []
  for (let i = 0; out.length < count; i += 1) {
    const requestId = `${serviceId}-${Math.floor(i / template.length)}`
    out.push({ ...(template[i % template.length] as ServiceEvent), requestId })
  }
  return out
}

export const runB5 = async (redisUrl: string, sizes: Sizes, log: (line: string) => void): Promise<Figure[]> => {
  const redis = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 })
  try {
    const prefix = `b5:${randomUUID().slice(0, 8)}:`
    const store = createEventStore(redis, prefix)
    const perService = Math.ceil(sizes.b5Events / sizes.b5Services)
    const ids = Array.from({ length: sizes.b5Services }, (_, i) => benchServiceId(i))
    const writeStart = performance.now()
    let memoryEvents: ServiceEvent[] = []
    await pool(ids, 50, async (id) => {
      const events = eventsFor(id, perService)
      if (memoryEvents.length === 0) memoryEvents = events
      const appended = await store.append(id, 0, events, undefined, Date.now())
      if (!appended.ok) throw new Error(`append for ${id} conflicted`)
    })
    const total = perService * ids.length
    const writeRate = (total / (performance.now() - writeStart)) * 1000
    log(`  B5: wrote ${total} events across ${ids.length} services at ${fmt(writeRate, 0)} events/s`)

    const rebuildRates = await repeat(sizes.runs, async (i) => {
      const start = performance.now()
      let folded = 0
      await pool(ids, 8, async (id) => {
        const events = await store.readEvents(id)
        const state = fold(
          initialServiceState(id),
          events.map((e) => e.event),
        )
        folded += state.version
      })
      const rate = (folded / (performance.now() - start)) * 1000
      log(`  B5 run ${i + 1}: readEvents + fold ${fmt(rate, 0)} events/s`)
      return rate
    })

    const opsStart = performance.now()
    await replayServices({ redis, prefix }, ids.slice(0, Math.max(1, Math.floor(ids.length / 4))), { write: true })
    const opsRate = ((perService * Math.max(1, Math.floor(ids.length / 4))) / (performance.now() - opsStart)) * 1000

    const foldRates = Array.from({ length: 3 }, () => {
      const start = performance.now()
      const rounds = Math.max(1, Math.floor(20_000 / memoryEvents.length))
      for (let r = 0; r < rounds; r += 1) fold(initialServiceState('x'), memoryEvents)
      return ((rounds * memoryEvents.length) / (performance.now() - start)) * 1000
    })

    const rate = median(rebuildRates)
    return [
      {
        id: 'B5',
        name: 'replay: rebuild all snapshots from the log (readEvents + fold)',
        value: rate,
        unit: 'events/s',
        target: '>= 150,000 events/s',
        pass: rate >= 150_000,
        runs: rebuildRates,
        notes: [
          `${total} events across ${ids.length} services (${perService} each, create cycles of 6 events), 8 services in flight; written at ${fmt(writeRate, 0)} events/s`,
        ],
      },
      informative(
        'B5',
        'operator replay (src/ops/log/replay.ts, sequential, writes snapshots)',
        opsRate,
        'events/s',
        [opsRate],
        [`a quarter of the services (${Math.max(1, Math.floor(ids.length / 4))})`],
      ),
      informative('B5', 'fold only (in memory, decoded events)', median(foldRates), 'events/s', foldRates),
    ]
  } finally {
    redis.disconnect()
  }
}
