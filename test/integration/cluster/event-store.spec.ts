import { expect } from 'chai'
import type { Cluster } from 'ioredis'
import { isLeft } from 'fp-ts/lib/Either.js'
import type { RequestAccepted, RequestRedelivered } from '../../../src/codecs/events.js'
import { DeleteDashboardRequest } from '../../../src/codecs/requests.js'
import { createEventStore, type EventStore, type InboxEntry } from '../../../src/state/store/event-store.js'
import { keySlot } from '../../../src/state/store/key-slot.js'
import { indexKeys, serviceKeys } from '../../../src/state/store/redis-keys.js'
import { createServiceLease } from '../../../src/state/store/service-lease.js'
import { fold } from '../../../src/state/evolve.js'
import { uniquePrefix } from '../../support/redis-helpers.js'
import { flushClusterPrefix, testClusterClient } from '../../support/redis-cluster-fixture.js'
import { createdOutcomes } from '../../support/log-fixture.js'

const at = '2024-11-01T10:00:00.000Z'
const entryFor = (serviceId: string, requestId: string): InboxEntry => {
  const payload = DeleteDashboardRequest.decode({ serviceId })
  if (isLeft(payload)) throw new Error(`bad serviceId ${serviceId}`)
  const accepted: RequestAccepted = {
    v: 1,
    requestId,
    at,
    type: 'RequestAccepted',
    origin: 'topic/0/1',
    kogito: {},
    request: { kind: 'delete', payload: payload.right },
  }
  const redelivered: RequestRedelivered = { v: 1, requestId, at, type: 'RequestRedelivered', origin: 'topic/0/1' }
  return { serviceId, accepted, redelivered }
}

/** The masters (by node address) serving the given keys' slots. */
const mastersOf = (cluster: Cluster, keys: readonly string[]): Set<string> => new Set(keys.map((key) => cluster.slots[keySlot(key)]?.[0] ?? '?'))

describe('event store and lease on a Redis Cluster (3 masters, 3 replicas)', function () {
  this.timeout(120_000)
  let cluster: Cluster
  let store: EventStore
  const prefix = uniquePrefix()
  const services = Array.from({ length: 60 }, (_, i) => `svc-${i}`)

  before(async () => {
    cluster = await testClusterClient()
    await cluster.ping() // the slot map is known from here on
    store = createEventStore(cluster, prefix)
  })
  after(async () => {
    await flushClusterPrefix(cluster, prefix)
    cluster.disconnect()
  })

  it('accepts one batch for services on every master, replicated before it returns', async () => {
    expect(
      mastersOf(
        cluster,
        services.map((id) => serviceKeys(prefix, id).events),
      ).size,
    ).to.equal(3)
    const outcomes = await store.accept(
      services.map((id) => entryFor(id, `req-${id}`)),
      Date.parse(at),
    )
    expect(outcomes.map((o) => [o.serviceId, o.outcome, o.version])).to.deep.equal(services.map((id) => [id, 'accepted', 1]))
    const again = await store.accept([entryFor('svc-7', 'req-svc-7'), entryFor('svc-8', 'req-other')], Date.parse(at))
    expect(again.map((o) => [o.serviceId, o.outcome, o.version])).to.deep.equal([
      ['svc-7', 'redelivered', 2],
      ['svc-8', 'accepted', 2],
    ])
    expect((await store.listServices()).map((s) => s.serviceId).sort()).to.deep.equal([...services].sort())
    expect(await store.pendingServices()).to.have.length(services.length)
    // the index keys live in their own slots, apart from the services' keys
    expect(keySlot(indexKeys(prefix).services)).to.not.equal(keySlot(indexKeys(prefix).pending))
  })

  it('appends with the expected version, loads the fold and clears pending', async () => {
    const id = 'svc-3'
    const state = await store.load(id)
    expect(state.version).to.equal(1)
    const events = createdOutcomes(id, `req-${id}`, 0).slice(0, 1)
    expect(await store.append(id, state.version, events, fold(state, events), Date.parse(at))).to.deep.equal({ ok: true, version: 2 })
    expect(await store.append(id, state.version, events, undefined, Date.parse(at))).to.deep.equal({ ok: false, actualVersion: 2 })
    expect((await store.load(id)).version).to.equal(2)
    expect(await store.readSnapshotText(id)).to.contain('"version":2')
    await store.clearPending(id, 2)
    expect(await store.pendingServices()).to.not.include(id)
  })

  it('lets one replica at a time hold a service lease', async () => {
    const [a, b] = [createServiceLease(cluster, prefix, 'replica-a', 5000), createServiceLease(cluster, prefix, 'replica-b', 5000)]
    expect(await a.acquire('svc-1')).to.equal(true)
    expect(await b.acquire('svc-1')).to.equal(false)
    expect(await b.acquire('svc-2')).to.equal(true)
    expect(await a.renew('svc-1')).to.equal(true)
    expect(await b.renew('svc-1')).to.equal(false)
    await a.release('svc-1')
    expect(await b.acquire('svc-1')).to.equal(true)
  })
})
