/**
 * A real Prometheus in the loop, secret mode: Kafka → service → the secret → a real central
 * Prometheus (its scrape_configs exactly the secret's list, reloaded after each change, as the
 * Operator's config reloader does) → federation from real managed-cluster Prometheus servers.
 * Tenants a and b share the namespace name `default` on different clusters, tenants a and c share
 * east's `default` itself; one container on east claims tenant-b's `hypo_service_id` itself. Every target is one of the lab's loopback servers
 * (PROMETHEUS_TARGET_ALLOW=127.0.0.0/8; the lab refuses anything else).
 */
import { expect } from 'chai'
import { createOnCluster, expectPanelsShowCluster } from '../../support/lab-requests.js'
import { activeTargets, clusterOf, labPatience, instantQuery, useLabHarness } from '../../support/prometheus-fixture.js'
import { eventually } from '../../support/wait.js'
import { deleteRequest, envelopeOf, jobNamesIn, platformRequest, publishRequests, resultOf } from '../../support/request-builders.js'

describe("real Prometheus: the secret's jobs federate exactly the service's series", function () {
  this.timeout(120_000)
  const ctx = useLabHarness({ PROMETHEUS_TARGET_ALLOW: '127.0.0.0/8' })
  const loadSecret = (): Promise<void> => ctx.lab.loadScrapeConfigs(ctx.harness.stack.scrapeConfigs() ?? '')
  const statusOf = async (request: { kogitoprocinstanceid: string }): Promise<unknown> =>
    envelopeOf(await resultOf(ctx.results, request)).data['dashboardDataOrderStatus']

  it("three tenants: each job is up, each panel shows exactly its cluster's values for its namespaces, the spoofed series stays with its own cluster", async () => {
    const a = createOnCluster(ctx.lab, 'tenant-a', 'east', ['shop', 'default'])
    const b = createOnCluster(ctx.lab, 'tenant-b', 'west', ['billing', 'default'])
    const c = createOnCluster(ctx.lab, 'tenant-c', 'east', ['default'])
    await publishRequests([a, b, c])
    for (const request of [a, b, c]) expect(await statusOf(request)).to.equal('SUCCESS')
    await loadSecret()

    const tenants = ['tenant-a', 'tenant-b', 'tenant-c']
    const up = await eventually(
      () => activeTargets(ctx.lab.central),
      (ts) => tenants.every((job) => ts.some((t) => t.job === job && t.health === 'up')),
      'every job up',
      labPatience,
    )
    expect(up.map((t) => [t.job, t.url.split('?')[0]]).sort()).to.deep.equal([
      ['tenant-a', `http://${clusterOf(ctx.lab, 'east').prometheus.address}/federate`],
      ['tenant-b', `http://${clusterOf(ctx.lab, 'west').prometheus.address}/federate`],
      ['tenant-c', `http://${clusterOf(ctx.lab, 'east').prometheus.address}/federate`],
    ])

    await expectPanelsShowCluster(ctx.lab, ctx.harness.stack.grafana, 'tenant-a', 'east', ['shop', 'default'])
    await expectPanelsShowCluster(ctx.lab, ctx.harness.stack.grafana, 'tenant-b', 'west', ['billing', 'default'])
    // east's `default` is federated once per tenant, each copy stamped with its own tenant
    await expectPanelsShowCluster(ctx.lab, ctx.harness.stack.grafana, 'tenant-c', 'east', ['default'])

    // the container on east that labels itself tenant-b is stamped tenant-a after honor_labels
    // the central Prometheus is shared by the run: series of other specs' removed jobs are not marked
    // stale by a reload, so every query here names this spec's tenants
    const spoofed = await instantQuery(ctx.lab.central, 'container_memory_working_set_bytes{pod="spoof-1", hypo_service_id=~"tenant-.*"}')
    expect(spoofed.map((s) => [s.labels['hypo_service_id'], s.labels['job']])).to.deep.equal([['tenant-a', 'cadvisor']])
    const tenantB = await instantQuery(ctx.lab.central, 'count by (instance) (container_memory_working_set_bytes{hypo_service_id="tenant-b"})')
    expect(tenantB.map((s) => s.labels['instance'])).to.deep.equal([clusterOf(ctx.lab, 'west').exporter.address])
    const unrequested = await instantQuery(ctx.lab.central, 'container_memory_working_set_bytes{namespace="unrequested", hypo_service_id=~"tenant-.*"}')
    expect(unrequested).to.deep.equal([])
  })

  it("a platform service adds no scrape job (it has no metrics): the jobs stay the tenants'", async () => {
    const platform = platformRequest('platform-x', ['shop'])
    await publishRequests([platform])
    expect(await statusOf(platform)).to.equal('SUCCESS')
    expect(jobNamesIn(ctx.harness.stack.scrapeConfigs()).sort()).to.deep.equal(['tenant-a', 'tenant-b', 'tenant-c'])
  })

  it("after a delete and a reload the target is gone, the other services' stay up and keep their values", async () => {
    const del = deleteRequest('tenant-a')
    await publishRequests([del])
    expect(await statusOf(del)).to.equal('SUCCESS')
    await loadSecret()
    const left = await eventually(
      () => activeTargets(ctx.lab.central),
      (ts) => ts.length === 2 && ts.every((t) => t.job !== 'tenant-a' && t.health === 'up'),
      'tenant-a gone',
      labPatience,
    )
    expect(left.map((t) => t.job).sort()).to.deep.equal(['tenant-b', 'tenant-c'])
    await expectPanelsShowCluster(ctx.lab, ctx.harness.stack.grafana, 'tenant-b', 'west', ['billing', 'default'])
    await expectPanelsShowCluster(ctx.lab, ctx.harness.stack.grafana, 'tenant-c', 'east', ['default'])
  })
})
