/**
 * Event logs for the operator-command specs, written through the real EventStore (`accept` for
 * requests, `append` with the folded snapshot for outcomes), as the service writes them.
 */
import { isLeft } from 'fp-ts/lib/Either.js'
import type { Redis } from 'ioredis'
import * as Events from '../../src/codecs/events.js'
import { CreateDashboardRequest, DeleteDashboardRequest } from '../../src/codecs/requests.js'
import { createEventStore, type EventStore } from '../../src/state/store/event-store.js'
import type { RedisClient } from '../../src/state/store/redis-scripts.js'
import { fold } from '../../src/state/evolve.js'
import { flushPrefix, testRedis, uniquePrefix } from './redis-helpers.js'

export const T0 = Date.parse('2024-11-01T10:00:00.000Z')
const iso = (s: number) => new Date(T0 + s * 1000).toISOString()

const createPayload = (serviceId: string) => {
  const d = CreateDashboardRequest.decode({ serviceId, namespaces: ['NAMESPACE_1', 'NAMESPACE_2'], prometheus: { host: '10.10.10.4', port: 30180 } })
  if (isLeft(d)) throw new Error('bad fixture')
  return d.right
}
const deletePayload = (serviceId: string) => {
  const d = DeleteDashboardRequest.decode({ serviceId })
  if (isLeft(d)) throw new Error('bad fixture')
  return d.right
}

const acceptedOf = (requestId: string, request: Events.RequestAccepted['request'], s: number): Events.RequestAccepted =>
  Events.requestAccepted({ requestId, at: iso(s), request, kogito: { kogitoprocinstanceid: `proc-${requestId}` }, origin: 'topic/0/1' })

/** Accept a request, then append the outcome events one by one (each with its snapshot). */
const play = async (store: EventStore, serviceId: string, accepted: Events.RequestAccepted, outcomes: readonly Events.ServiceEvent[]): Promise<void> => {
  await store.accept(
    [{ serviceId, accepted, redelivered: Events.requestRedelivered({ requestId: accepted.requestId, at: accepted.at, origin: accepted.origin }) }],
    Date.parse(accepted.at),
  )
  for (const event of outcomes) {
    const state = await store.load(serviceId)
    const result = await store.append(serviceId, state.version, [event], fold(state, [event]), Date.parse(event.at))
    if (!result.ok) throw new Error('fixture append conflict')
  }
}

const result = (topic: string) => ({ topic, key: 'k', value: '{}' })

export const createdOutcomes = (serviceId: string, requestId: string, s: number): Events.ServiceEvent[] => [
  Events.scrapeJobRegistered({ requestId, at: iso(s + 1), jobName: serviceId, fingerprint: 'f00d' }),
  Events.dashboardUpserted({
    requestId,
    at: iso(s + 2),
    role: 'metrics',
    uid: `tcm-${serviceId}`,
    id: 1,
    url: `/d/tcm-${serviceId}/m`,
    version: 1,
    folderUid: 'etsi-hypo-app-metrics',
    fingerprint: 'aa',
  }),
  Events.dashboardUpserted({
    requestId,
    at: iso(s + 3),
    role: 'logs',
    uid: `tcl-${serviceId}`,
    id: 2,
    url: `/d/tcl-${serviceId}/l`,
    version: 1,
    folderUid: 'etsi-hypo-end-user-service-logs',
    fingerprint: 'bb',
  }),
  Events.requestCompleted({ requestId, at: iso(s + 4), status: 'SUCCESS', resultId: `res-${requestId}`, result: result('sonata-service-dashboard-result') }),
  Events.resultPublished({ requestId, at: iso(s + 5), resultId: `res-${requestId}` }),
]

/** An active service (created), a deleted one (created then deleted), one just accepted (new, pending). */
export const writeFixtureLogs = async (redis: RedisClient, prefix: string): Promise<EventStore> => {
  const store = createEventStore(redis, prefix)
  await play(store, 'svc-active', acceptedOf('req-a1', { kind: 'create', payload: createPayload('svc-active') }, 0), createdOutcomes('svc-active', 'req-a1', 0))
  await play(store, 'svc-gone', acceptedOf('req-g1', { kind: 'create', payload: createPayload('svc-gone') }, 10), createdOutcomes('svc-gone', 'req-g1', 10))
  await play(store, 'svc-gone', acceptedOf('req-g2', { kind: 'delete', payload: deletePayload('svc-gone') }, 20), [
    Events.scrapeJobRemoved({ requestId: 'req-g2', at: iso(21), jobName: 'svc-gone', wasPresent: true }),
    Events.dashboardsDeleted({ requestId: 'req-g2', at: iso(22), uids: ['tcm-svc-gone', 'tcl-svc-gone'] }),
    Events.requestCompleted({
      requestId: 'req-g2',
      at: iso(23),
      status: 'SUCCESS',
      resultId: 'res-req-g2',
      result: result('sonata-service-dashboard-delete-result'),
    }),
    Events.resultPublished({ requestId: 'req-g2', at: iso(24), resultId: 'res-req-g2' }),
  ])
  await play(store, 'svc-new', acceptedOf('req-n1', { kind: 'create', payload: createPayload('svc-new') }, 30), [])
  return store
}

/** Mocha hooks for a spec reading the fixture logs: written once under a fresh prefix, removed after. */
export const useFixtureLogs = (): { readonly store: EventStore; readonly redis: Redis; readonly prefix: string } => {
  const prefix = uniquePrefix()
  const ctx = { prefix } as { store: EventStore; redis: Redis; prefix: string }
  before(async () => {
    ctx.redis = testRedis('')
    ctx.store = await writeFixtureLogs(ctx.redis, prefix)
  })
  after(async () => {
    await flushPrefix(ctx.redis, prefix)
    ctx.redis.disconnect()
  })
  return ctx
}
