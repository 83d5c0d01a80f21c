/**
 * The three SONATA flows end to end with the service's event log on the Redis Cluster
 * (REDIS_CLUSTER_NODES): Kafka → Redis Cluster → simulators → Kafka. Many services in one
 * burst, so one inbox batch spans all three masters.
 */
import { expect } from 'chai'
import { ResultTopics } from '../../../src/codecs/topics.js'
import { dashboardUid } from '../../../src/effects/grafana/dashboard-uids.js'
import { useHarness } from '../../support/harness-hooks.js'
import { testClusterNodes } from '../../support/redis-cluster-fixture.js'
import { createRequest, dataOf, deleteRequest, jobNamesIn, platformRequest, publishRequests, resultOf } from '../../support/request-builders.js'

describe('SONATA flows end to end on a Redis Cluster', function () {
  this.timeout(120_000)
  // filled in before useHarness' own hook starts the service (hooks run in the order they are defined)
  const env: Record<string, string> = {}
  before(async () => {
    env['REDIS_CLUSTER_NODES'] = await testClusterNodes()
  })
  const ctx = useHarness({ harness: { env } })

  it('create, platform and delete for 30 services: every result SUCCESS, the secret and Grafana match', async () => {
    expect(ctx.harness.stack.config.redis.clusterNodes).to.have.length(6)
    const ids = Array.from({ length: 30 }, (_, i) => `cl-${i}`)
    const creates = ids.map((id) => createRequest(id))
    const platforms = ids.slice(0, 5).map((id) => platformRequest(`${id}-platform`, ['hypo-platform']))
    await publishRequests([...creates, ...platforms])
    const answers = await Promise.all([...creates, ...platforms].map((r) => resultOf(ctx.results, r)))
    expect(answers.map((m) => dataOf(m)['dashboardDataOrderStatus'])).to.deep.equal(answers.map(() => 'SUCCESS'))
    expect(answers.slice(creates.length).map((m) => m.topic)).to.deep.equal(platforms.map(() => ResultTopics.platform))
    expect(jobNamesIn(ctx.harness.stack.scrapeConfigs()).sort()).to.deep.equal([...ids].sort())

    const deletes = ids.slice(0, 10).map((id) => deleteRequest(id))
    await publishRequests(deletes)
    const deleted = await Promise.all(deletes.map((r) => resultOf(ctx.results, r)))
    expect(deleted.map((m) => [m.topic, dataOf(m)['dashboardDataOrderStatus']])).to.deep.equal(deletes.map(() => [ResultTopics.delete, 'SUCCESS']))
    expect(jobNamesIn(ctx.harness.stack.scrapeConfigs()).sort()).to.deep.equal(ids.slice(10).sort())
    const uids = new Set(ctx.harness.stack.grafana.dashboards().map((d) => d.uid))
    expect(ids.slice(0, 10).some((id) => uids.has(dashboardUid(id, 'metrics')))).to.equal(false)
    expect(ids.slice(10).every((id) => uids.has(dashboardUid(id, 'metrics')))).to.equal(true)
  })

  it('a redelivered request is answered with the identical result, not carried out again', async () => {
    const request = createRequest('cl-again')
    await publishRequests([request])
    const first = await resultOf(ctx.results, request)
    const upserts = ctx.harness.stack.grafana.requests.get('dashboard.upsert') ?? 0
    await publishRequests([request])
    await ctx.results.waitFor((m) => m !== first && dataOf(m)['serviceId'] === 'cl-again', 30_000)
    const copies = ctx.results.messages.filter((m) => dataOf(m)['serviceId'] === 'cl-again')
    expect(copies.map((m) => m.value?.toString())).to.deep.equal([first.value?.toString(), first.value?.toString()])
    expect(ctx.harness.stack.grafana.requests.get('dashboard.upsert') ?? 0).to.equal(upserts)
  })
})
