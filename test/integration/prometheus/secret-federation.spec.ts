/**
 * A real Prometheus in the loop, secret mode: Kafka → service → the secret → a real central
 * Prometheus (its scrape_configs exactly the secret's list, reloaded after each change, as the
 * Operator's config reloader does) → federation from real managed-cluster Prometheus servers.
 * Two tenants share the namespace name `default` on different clusters; one container on east
 * claims tenant-b's `hypo_service_id` itself. Every target is one of the lab's loopback servers
 * (PROMETHEUS_TARGET_ALLOW=127.0.0.0/8; the lab refuses anything else).
 */
import { expect } from 'chai'
import type { PrometheusLab } from '../../../dev/prometheus-lab.js'
import { useHarness } from '../../support/harness-hooks.js'
import { createOnCluster, expectPanelsShowCluster } from '../../support/lab-requests.js'
import { activeTargets, clusterOf, eventually, instantQuery, sharedPrometheusLab } from '../../support/prometheus-fixture.js'
import { deleteRequest, envelopeOf, jobNamesIn, platformRequest, publishRequests, resultOf } from '../../support/request-builders.js'

describe('real Prometheus: the secret\'s jobs federate exactly the service\'s series', function () {
  this.timeout(120_000)
  const ctx = useHarness({ harness: { env: { PROMETHEUS_TARGET_ALLOW: '127.0.0.0/8' } } })
  let lab: PrometheusLab
  before(async () => {
    lab = await sharedPrometheusLab()
  })
  const loadSecret = (): Promise<void> => lab.loadScrapeConfigs(ctx.harness.stack.scrapeConfigs() ?? '')
  const statusOf = async (request: { kogitoprocinstanceid: string }): Promise<unknown> =>
    envelopeOf(await resultOf(ctx.results, request)).data['dashboardDataOrderStatus']

  it('two tenants: each job is up, each panel shows exactly its cluster\'s values, the spoofed series stays with its own cluster', async () => {
    const a = createOnCluster(lab, 'tenant-a', 'east', ['shop', 'default'])
    const b = createOnCluster(lab, 'tenant-b', 'west', ['billing', 'default'])
    await publishRequests([a, b])
    expect(await statusOf(a)).to.equal('SUCCESS')
    expect(await statusOf(b)).to.equal('SUCCESS')
    await loadSecret()

    const up = await eventually(() => activeTargets(lab.central), (ts) => ['tenant-a', 'tenant-b'].every((job) => ts.some((t) => t.job === job && t.health === 'up')), 'both jobs up')
    expect(up.map((t) => [t.job, t.url.split('?')[0]]).sort()).to.deep.equal([
      ['tenant-a', `http://${clusterOf(lab, 'east').prometheus.address}/federate`],
      ['tenant-b', `http://${clusterOf(lab, 'west').prometheus.address}/federate`],
    ])

    await expectPanelsShowCluster(lab, ctx.harness.stack.grafana, 'tenant-a', 'east', ['shop', 'default'])
    await expectPanelsShowCluster(lab, ctx.harness.stack.grafana, 'tenant-b', 'west', ['billing', 'default'])

    // the container on east that labels itself tenant-b is stamped tenant-a after honor_labels
    const spoofed = await instantQuery(lab.central, 'container_memory_working_set_bytes{pod="spoof-1"}')
    expect(spoofed.map((s) => [s.labels['hypo_service_id'], s.labels['job']])).to.deep.equal([['tenant-a', 'cadvisor']])
    const tenantB = await instantQuery(lab.central, 'count by (instance) (container_memory_working_set_bytes{hypo_service_id="tenant-b"})')
    expect(tenantB.map((s) => s.labels['instance'])).to.deep.equal([clusterOf(lab, 'west').exporter.address])
    const unrequested = await instantQuery(lab.central, 'container_memory_working_set_bytes{namespace="unrequested"}')
    expect(unrequested).to.deep.equal([])
  })

  it('a platform service adds no scrape job: the central\'s targets stay the two tenants\'', async () => {
    const platform = platformRequest('platform-x', ['shop'])
    await publishRequests([platform])
    expect(await statusOf(platform)).to.equal('SUCCESS')
    expect(jobNamesIn(ctx.harness.stack.scrapeConfigs()).sort()).to.deep.equal(['tenant-a', 'tenant-b'])
  })

  it('after a delete and a reload the target is gone, the other service\'s stays up and keeps its values', async () => {
    const del = deleteRequest('tenant-a')
    await publishRequests([del])
    expect(await statusOf(del)).to.equal('SUCCESS')
    await loadSecret()
    const left = await eventually(() => activeTargets(lab.central), (ts) => ts.length === 1 && ts[0]?.job === 'tenant-b' && ts[0].health === 'up', 'only tenant-b left')
    expect(left.map((t) => t.job)).to.deep.equal(['tenant-b'])
    await expectPanelsShowCluster(lab, ctx.harness.stack.grafana, 'tenant-b', 'west', ['billing', 'default'])
  })
})
