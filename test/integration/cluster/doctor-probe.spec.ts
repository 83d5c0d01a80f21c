/**
 * The doctor's Redis probe on the suite's real Redis Cluster: every slot covered, and the
 * persistence and eviction settings read on each master (they are per node).
 */
import { expect } from 'chai'
import { probeRedis } from '../../../src/state/store/doctor-probe.js'
import { testClusterNodes } from '../../support/redis-cluster-fixture.js'

describe('doctor Redis probe on a Redis Cluster (3 masters, 3 replicas)', function () {
  this.timeout(120_000)

  it("reports the cluster reachable, all 16384 slots covered and each master's settings", async () => {
    const clusterNodes = (await testClusterNodes()).split(',').map((address) => {
      const [host = '', port = ''] = address.split(':')
      return { host, port: Number(port) }
    })
    const checks = await probeRedis({ url: 'redis://127.0.0.1:6379', clusterNodes, keyPrefix: 'tc:' })
    expect(checks[0]).to.include({ name: 'redis.reachable', status: 'ok' })
    expect(checks[0]?.reason).to.match(/^Redis Cluster \S+, 3 master\(s\)$/)
    expect(checks.find((c) => c.name === 'redis.cluster-slots')).to.include({ status: 'ok' })
    const appendonly = checks.filter((c) => c.name.startsWith('redis.appendonly ('))
    expect(appendonly).to.have.length(3)
    expect(appendonly.every((c) => c.status === 'ok')).to.equal(true)
    expect(checks.filter((c) => c.status === 'fail')).to.deep.equal([])
  })
})
