import { expect } from 'chai'
import { isLeft } from 'fp-ts/lib/Either.js'
import type { Cluster } from 'ioredis'
import { exportLog } from '../../../src/ops/log/export-log.js'
import { importLogs, parseImport } from '../../../src/ops/log/import-log.js'
import { inspectionJson, inspectService } from '../../../src/ops/log/inspect.js'
import { listServices } from '../../../src/ops/log/list.js'
import { replayServices } from '../../../src/ops/log/replay.js'
import { withStore } from '../../../src/cli/with-store.js'
import { loadRedisOpsConfig } from '../../../src/config/ops-config.js'
import { createEventStore, type EventStore } from '../../../src/state/store/event-store.js'
import { serviceKeys } from '../../../src/state/store/redis-keys.js'
import { writeFixtureLogs } from '../../support/log-fixture.js'
import { uniquePrefix } from '../../support/redis-helpers.js'
import { flushClusterPrefix, testClusterClient, testClusterNodes } from '../../support/redis-cluster-fixture.js'

// the same fixture logs as test/integration/ops, written and read through a Cluster client
describe('operator commands on a Redis Cluster: list, inspect, replay, export and import', function () {
  this.timeout(120_000)
  const source = uniquePrefix()
  const target = uniquePrefix()
  const services = ['svc-active', 'svc-gone', 'svc-new']
  let cluster: Cluster
  let store: EventStore

  before(async () => {
    cluster = await testClusterClient()
    store = await writeFixtureLogs(cluster, source)
  })
  after(async () => {
    await flushClusterPrefix(cluster, source)
    await flushClusterPrefix(cluster, target)
    cluster.disconnect()
  })

  it('list and inspect read every service', async () => {
    const rows = await listServices(store)
    expect(rows.map((r) => [r.serviceId, r.status, r.version])).to.deep.equal([
      ['svc-active', 'active', 6],
      ['svc-gone', 'deleted', 11],
      ['svc-new', 'new', 1],
    ])
    const inspected = await inspectService(store, 'svc-gone')
    expect(inspected?.state.status).to.equal('deleted')
    expect(inspected?.timeline).to.have.length(11)
  })

  it('the commands open the store as the CLI does, from REDIS_CLUSTER_NODES', async () => {
    const config = loadRedisOpsConfig({ REDIS_CLUSTER_NODES: await testClusterNodes(), REDIS_KEY_PREFIX: source })
    if (isLeft(config)) throw new Error(config.left.join('; '))
    const rows = await withStore(config.right, ({ store: cliStore }) => listServices(cliStore))
    expect(rows.map((r) => r.serviceId)).to.deep.equal(services)
  })

  it('replay rebuilds every snapshot byte for byte and rewrites a damaged one', async () => {
    // svc-new has had no outcome yet, so no snapshot either
    expect((await replayServices({ redis: cluster, prefix: source }, services, { write: false })).counts).to.include({ identical: 2, missing: 1 })
    const key = serviceKeys(source, 'svc-active').snapshot
    const original = (await cluster.get(key))!
    await cluster.set(key, original.replace('"status":"active"', '"status":"failed"'))
    expect((await replayServices({ redis: cluster, prefix: source }, services, { write: true })).counts).to.include({ identical: 1, differs: 1, missing: 1 })
    expect(await cluster.get(key)).to.equal(original)
  })

  it('export, then import under another prefix: the same states, indexes and inbox dedupe', async () => {
    let ndjson = ''
    const exported = await exportLog({ redis: cluster, prefix: source }, services, (chunk) => {
      ndjson += chunk
    })
    expect(exported).to.deep.equal({ services: 3, events: 18, fromSnapshot: 0 })
    const parsed = await parseImport(ndjson.split('\n'))
    if (isLeft(parsed)) throw new Error(parsed.left.join('; '))
    const report = await importLogs({ redis: cluster, prefix: target }, parsed.right, { force: false, nowMs: Date.now() })
    expect(report.refused).to.deep.equal([])
    const to = createEventStore(cluster, target)
    for (const id of services) {
      expect(inspectionJson((await inspectService(to, id))!).state).to.deep.equal(inspectionJson((await inspectService(store, id))!).state)
    }
    expect(await to.listServices()).to.deep.equal(await store.listServices())
    expect(await to.pendingServices()).to.deep.equal(['svc-new'])
    expect(await cluster.hgetall(serviceKeys(target, 'svc-gone').seen)).to.deep.equal({ 'req-g1': '1', 'req-g2': '7' })
    const forced = await importLogs({ redis: cluster, prefix: target }, parsed.right, { force: true, nowMs: Date.now() })
    expect(forced.imported.every((r) => r.replaced)).to.equal(true)
  })
})
