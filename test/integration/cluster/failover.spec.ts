/**
 * A Redis Cluster master killed with SIGKILL while a burst of requests is being worked on: its
 * replica is promoted after the node timeout (2 s here), the service's Cluster client follows the
 * new slot map, and every request still gets exactly one outcome (identical re-sent copies are
 * counted, never different ones). The inbox waits for a replica's acknowledgement (WAIT) before
 * Kafka offsets move, so a request acknowledged just before the kill is on the promoted replica.
 *
 * Afterwards the killed node is restarted on its dir: it rejoins as a replica of the promoted one,
 * so later specs find three masters with a replica each again.
 */
import { clusterHealth, clusterNodes } from '../../../dev/redis-cluster-health.js'
import type { RedisClusterHandle } from '../../../dev/redis-cluster.js'
import type { RedisServerHandle } from '../../../dev/redis-server.js'
import { resultsByRef } from '../../support/invariants.js'
import type { ResultCollector } from '../../support/kafka-helpers.js'
import { useHarness } from '../../support/harness-hooks.js'
import { sharedRedisCluster } from '../../support/redis-cluster-fixture.js'
import { awaitOutcomes, finishScenario, mixedChains, runChains, type SentRequest } from '../reliability/scenario.js'
import { answered, awaitAnswered, sleep } from '../../support/wait.js'

const reSentCopies = (results: ResultCollector, requests: readonly SentRequest[]): number => {
  const byRef = resultsByRef(results.messages)
  return requests.reduce((n, r) => n + Math.max(0, (byRef.get(r.kogitoprocinstanceid)?.length ?? 0) - 1), 0)
}

/** Milliseconds until the surviving nodes report every slot served again. */
const timeUntilHealthy = async (ports: readonly number[], timeoutMs = 30_000): Promise<number> => {
  const started = Date.now()
  while ((await clusterHealth(ports)) !== 'ok') {
    if (Date.now() - started > timeoutMs) throw new Error(`no failover within ${timeoutMs} ms: ${await clusterHealth(ports)}`)
    await sleep(100)
  }
  return Date.now() - started
}

describe('reliability: Redis Cluster master killed -9 mid-run (failover to its replica)', function () {
  this.timeout(180_000)
  const env: Record<string, string> = {}
  let cluster: RedisClusterHandle
  let killed: RedisServerHandle | undefined
  before(async function () {
    // killing a node needs a cluster this run owns, not one named by TEST_REDIS_CLUSTER_NODES
    if (process.env['TEST_REDIS_CLUSTER_NODES'] !== undefined) this.skip()
    cluster = await sharedRedisCluster()
    env['REDIS_CLUSTER_NODES'] = cluster.nodesEnv
  })
  const ctx = useHarness({ harness: { env } })
  after(async () => {
    if (killed === undefined) return
    await killed.restart()
    await cluster.waitHealthy()
  })

  it('kill -9 of a master while 200 services are worked on: failover, nothing lost, exact end state', async () => {
    const startedAt = Date.now()
    const { harness, results } = ctx
    harness.stack.grafana.faults.add({ kind: 'dashboard.upsert', latencyMs: 30 })
    const chains = mixedChains('fo', 200, { deleteEvery: 4, recreateEvery: 8 })
    const requests = chains.flat()
    const published = runChains(results, chains)
    await awaitAnswered(results, requests, { count: 40 })

    const master = (await clusterNodes(cluster.nodes[0]!.port)).find((n) => n.role === 'master')!
    killed = cluster.node(master.port)
    await killed.kill9()
    const answeredAtKill = answered(results, requests)
    const failoverMs = await timeUntilHealthy(cluster.nodes.filter((n) => n !== killed).map((n) => n.port))

    await published
    await awaitOutcomes(results, requests, 120_000)
    harness.stack.grafana.faults.clear()
    await finishScenario(
      'Redis Cluster (3 masters, 3 replicas): master kill -9 mid-run, failover to its replica',
      {
        requests,
        results: results.messages,
        scrapeConfigs: harness.stack.scrapeConfigs(),
        dashboards: harness.stack.grafana.dashboards(),
        expectStatus: () => 'SUCCESS',
      },
      {
        startedAt,
        faults: { 'redis-cluster:master kill -9': 1 },
        notes: `${answeredAtKill} answered before the kill; slots served again after ${(failoverMs / 1000).toFixed(1)} s; ${reSentCopies(results, requests)} identical re-sent copies`,
      },
    )
  })
})
