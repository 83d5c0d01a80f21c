/**
 * B8: what Redis holds per service, and that the retention pass bounds it.
 *
 * Same run, real Redis, the real event store and retention code: one service goes through N
 * create → delete cycles (every step's event as the service records it: `decide` picks the step,
 * the result messages come from the production builders), then its keys' `MEMORY USAGE` is summed
 * before and after a retention pass at a clock past EVENT_RETENTION. Then M services each do one
 * create, half of them a delete too, and the whole prefix's memory is summed before and after a
 * pass past DELETED_SERVICE_GRACE (deleted services leave; the others keep their snapshot only).
 */
import { Redis } from 'ioredis'
import { randomUUID } from 'node:crypto'
import type { ServiceEvent } from '../src/codecs/events.js'
import { desiredFingerprints } from '../src/effects/desired-state.js'
import { decide } from '../src/state/decide.js'
import type { Step } from '../src/state/step.js'
import { evolve } from '../src/state/evolve.js'
import { resultIdOf } from '../src/state/ids.js'
import { resultData, resultEnvelope, resultRecord } from '../src/state/result-message.js'
import type { ServiceState } from '../src/state/service-state.js'
import { createEventStore, type EventStore } from '../src/state/store/event-store.js'
import { createRetention } from '../src/state/store/retention.js'
import { acceptedRequest, samplePayloadFor } from './accepted-request.js'
import { informative, type Figure } from './figure.js'
import { benchServiceId } from './jobs.js'
import type { Sizes } from './sizes.js'
import { fmt, pool } from './stats.js'

const DAY = 86_400_000
const T0 = Date.parse('2024-10-30T09:28:34.000Z')
const POLICY = { eventRetentionMs: 30 * DAY, inboxRetentionMs: 14 * DAY, deletedGraceMs: 7 * DAY, batch: 500 }
const RESULTS = { sourceUri: '/telemetry-client', grafanaPublicUrl: 'http://grafana.local:3000' }
const desired = desiredFingerprints({ prometheusDatasourceUid: 'prometheus', lokiDatasourceUid: 'loki' })

/** The events the step's effect records on success (what run-step.ts would append); B10 seeds with it. */
export const outcomeOf = (step: Step, state: ServiceState, at: string): ServiceEvent[] => {
  const sid = state.serviceId
  switch (step.type) {
    case 'idle':
    case 'wait':
      return []
    case 'publishResult':
      return [{ v: 1, requestId: step.requestId, at, type: 'ResultPublished', resultId: step.resultId }]
    case 'registerJob':
      return [{ v: 1, requestId: step.pending.requestId, at, type: 'ScrapeJobRegistered', jobName: sid, fingerprint: step.fingerprint }]
    case 'removeJob':
      return [{ v: 1, requestId: step.pending.requestId, at, type: 'ScrapeJobRemoved', jobName: sid, wasPresent: state.job !== null }]
    case 'upsertDashboard': {
      const uid = `${step.role}-${sid}`.slice(0, 40)
      return [
        {
          v: 1,
          requestId: step.pending.requestId,
          at,
          type: 'DashboardUpserted',
          role: step.role,
          uid,
          id: 7,
          url: `/d/${uid}`,
          version: 1,
          folderUid: `folder-${step.role}`,
          fingerprint: step.fingerprint,
        },
      ]
    }
    case 'deleteDashboards':
      return [{ v: 1, requestId: step.pending.requestId, at, type: 'DashboardsDeleted', uids: Object.values(state.dashboards).map((d) => d.uid) }]
    case 'complete': {
      const { pending } = step
      const resultId = resultIdOf(pending.requestId)
      const envelope = resultEnvelope(
        pending.request.kind,
        resultData(state, pending, step.status, step.message, RESULTS),
        { resultId, kogito: pending.kogito, at },
        RESULTS,
      )
      return [
        {
          v: 1,
          requestId: pending.requestId,
          at,
          type: 'RequestCompleted',
          status: step.status,
          resultId,
          result: resultRecord(pending.request.kind, sid, envelope),
        },
      ]
    }
  }
}

/** Accept one request and carry it out to its published result, as the drain does. */
const carryOut = async (store: EventStore, serviceId: string, kind: 'create' | 'delete', atMs: number): Promise<void> => {
  const at = new Date(atMs).toISOString()
  const requestId = randomUUID()
  const request = kind === 'create' ? { kind, payload: samplePayloadFor(serviceId) } : { kind, payload: { serviceId } }
  const origin = `${kind}/0@1`
  const accepted = acceptedRequest({ requestId, at, request, origin })
  await store.accept([{ serviceId, accepted, redelivered: { v: 1, requestId, at, type: 'RequestRedelivered', origin } }], atMs)
  let state = await store.load(serviceId)
  for (let step = decide(state, desired); step.type !== 'idle'; step = decide(state, desired)) {
    const events = outcomeOf(step, state, at)
    const next = events.reduce(evolve, state)
    const appended = await store.append(serviceId, state.version, events, next, atMs)
    if (!appended.ok) throw new Error(`B8: unexpected append conflict on ${serviceId}`)
    state = next
  }
}

const bytesUnder = async (redis: Redis, pattern: string): Promise<number> => {
  let cursor = '0'
  let total = 0
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
    cursor = next
    for (const key of keys) total += Number((await redis.memory('USAGE', key)) ?? 0)
  } while (cursor !== '0')
  return total
}

export const runB8 = async (redisUrl: string, sizes: Sizes, log: (line: string) => void): Promise<Figure[]> => {
  const redis = new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 3 })
  const prefix = `b8:${randomUUID().slice(0, 8)}:`
  try {
    const store = createEventStore(redis, prefix)
    const retention = createRetention(redis, prefix, POLICY)
    const one = benchServiceId(0)
    for (let i = 0; i < sizes.b8Cycles; i += 1) {
      await carryOut(store, one, 'create', T0 + i * 1000)
      await carryOut(store, one, 'delete', T0 + i * 1000 + 500)
    }
    const oneBefore = await bytesUnder(redis, `${prefix}{svc:${one}}*`)
    await retention.trimService(one, T0 + 31 * DAY)
    const oneAfter = await bytesUnder(redis, `${prefix}{svc:${one}}*`)
    log(`  B8: one service after ${sizes.b8Cycles} create/delete cycles: ${fmt(oneBefore / 1024)} KiB, after a retention pass ${fmt(oneAfter / 1024)} KiB`)

    const ids = Array.from({ length: sizes.b8Services }, (_, i) => benchServiceId(i + 1))
    await pool(ids, 50, async (id) => {
      await carryOut(store, id, 'create', T0)
      if (Number.parseInt(id.slice(-1), 16) % 2 === 0) await carryOut(store, id, 'delete', T0 + 1000)
    })
    const manyBefore = await bytesUnder(redis, `${prefix}*`)
    const outcomes = await retention.pass(T0 + 31 * DAY)
    const manyAfter = await bytesUnder(redis, `${prefix}*`)
    const deleted = outcomes.filter((o) => o.deleted).length
    log(
      `  B8: ${ids.length} services: ${fmt(manyBefore / 1048576, 2)} MiB, after a retention pass ${fmt(manyAfter / 1048576, 2)} MiB (${deleted} deleted services removed)`,
    )
    const n = ids.length.toLocaleString('en-US')
    return [
      informative(
        'B8',
        `Redis bytes for one service after ${sizes.b8Cycles.toLocaleString('en-US')} create/delete cycles, before retention`,
        oneBefore,
        'bytes',
        [oneBefore],
        ["sum of MEMORY USAGE over the service's keys (stream, version, inbox ids, snapshot)"],
      ),
      informative(
        'B8',
        `Redis bytes for one service after ${sizes.b8Cycles.toLocaleString('en-US')} create/delete cycles, after a retention pass`,
        oneAfter,
        'bytes',
        [oneAfter],
        ['the pass runs 31 days after the last cycle: the service is deleted and past DELETED_SERVICE_GRACE and INBOX_RETENTION, so all its keys go'],
      ),
      informative(
        'B8',
        `Redis bytes for ${n} services (one create each, half deleted), before retention`,
        manyBefore,
        'bytes',
        [manyBefore],
        ['sum of MEMORY USAGE over every key of the bench prefix, indexes included'],
      ),
      informative(
        'B8',
        `Redis bytes for ${n} services after a retention pass`,
        manyAfter,
        'bytes',
        [manyAfter],
        [`${deleted} deleted services' keys removed; the others keep their snapshot and an empty stream`],
      ),
    ]
  } finally {
    await redis.quit().catch(() => undefined)
  }
}
