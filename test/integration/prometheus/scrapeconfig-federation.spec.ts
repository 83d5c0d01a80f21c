/**
 * A real Prometheus in the loop, ScrapeConfig backend: each ScrapeConfig the service applied is
 * rendered into the scrape config the Prometheus Operator generates for it
 * (dev/operator-scrape-config.ts, `job_name` `scrapeConfig/<namespace>/<name>`), a real
 * central Prometheus is given exactly those, and the same checks as in secret mode run: the
 * target is up, each panel shows exactly the cluster's values, the relabel rule pins the tenant,
 * a delete removes the target and leaves the other service's.
 */
import { expect } from 'chai'
import { isRight } from 'fp-ts/lib/Either.js'
import { DEV_SCRAPE_CONFIG } from '../../../dev/dev-stack.js'
import { ScrapeConfigResource } from '../../../src/codecs/apis/scrape-config.js'
import { scrapeConfigName } from '../../../src/effects/kube/scrapeconfig/scrape-config-name.js'
import { checksOf, runCli } from '../../support/run-cli.js'
import { createOnCluster, expectPanelsShowCluster } from '../../support/lab-requests.js'
import { operatorScrapeConfigsYaml } from '../../../dev/operator-scrape-config.js'
import { checkScrapeConfigsWithPromtool } from '../../support/promtool.js'
import { activeTargets, clusterOf, labPatience, instantQuery, useLabHarness } from '../../support/prometheus-fixture.js'
import { eventually } from '../../support/wait.js'
import { deleteRequest, envelopeOf, publishRequests, resultOf } from '../../support/request-builders.js'

describe("real Prometheus: the ScrapeConfigs, as the Operator renders them, federate exactly the service's series", function () {
  this.timeout(120_000)
  const ctx = useLabHarness({ SCRAPE_CONFIG_BACKEND: 'scrapeconfig', PROMETHEUS_TARGET_ALLOW: '127.0.0.0/8' })

  const objects = (): readonly ScrapeConfigResource[] =>
    ctx.harness.stack.scrapeConfigObjects().flatMap((o) => {
      const decoded = ScrapeConfigResource.decode(o)
      return isRight(decoded) ? [decoded.right] : []
    })
  const loadObjects = async (): Promise<void> => {
    const yaml = operatorScrapeConfigsYaml(objects())
    const promtool = await checkScrapeConfigsWithPromtool(yaml)
    expect(promtool.ok, promtool.output).to.equal(true)
    await ctx.lab.loadScrapeConfigs(yaml)
  }
  const statusOf = async (request: { kogitoprocinstanceid: string }): Promise<unknown> =>
    envelopeOf(await resultOf(ctx.results, request)).data['dashboardDataOrderStatus']
  const jobOf = (serviceId: string): string => `scrapeConfig/${DEV_SCRAPE_CONFIG.namespace}/${scrapeConfigName(serviceId)}`

  it("two tenants: each Operator job is up, each panel shows exactly its cluster's values, the spoofed series stays with its own cluster", async () => {
    const a = createOnCluster(ctx.lab, 'tenant-a', 'east', ['shop', 'default'])
    const b = createOnCluster(ctx.lab, 'tenant-b', 'west', ['billing', 'default'])
    await publishRequests([a, b])
    expect(await statusOf(a)).to.equal('SUCCESS')
    expect(await statusOf(b)).to.equal('SUCCESS')
    expect(
      objects()
        .map((o) => o.metadata.name)
        .sort(),
    ).to.deep.equal([scrapeConfigName('tenant-a'), scrapeConfigName('tenant-b')])
    await loadObjects()

    await eventually(
      () => activeTargets(ctx.lab.central),
      (ts) => [jobOf('tenant-a'), jobOf('tenant-b')].every((job) => ts.some((t) => t.job === job && t.health === 'up')),
      'both Operator jobs up',
      labPatience,
    )
    // `up` carries job = spec.jobName (the serviceId), set by the Operator's relabeling
    // the central Prometheus is shared by the run: series of other specs' removed jobs are not marked
    // stale by a reload (the secret spec's tenant-c, when it runs first), so every query here names
    // this spec's tenants
    const up = await instantQuery(ctx.lab.central, 'up{job=~"tenant-a|tenant-b"}')
    expect(up.map((s) => [s.labels['job'], s.value]).sort()).to.deep.equal([
      ['tenant-a', 1],
      ['tenant-b', 1],
    ])

    await expectPanelsShowCluster(ctx.lab, ctx.harness.stack.grafana, 'tenant-a', 'east', ['shop', 'default'])
    await expectPanelsShowCluster(ctx.lab, ctx.harness.stack.grafana, 'tenant-b', 'west', ['billing', 'default'])
    const spoofed = await instantQuery(ctx.lab.central, 'container_memory_working_set_bytes{pod="spoof-1", hypo_service_id=~"tenant-a|tenant-b"}')
    expect(spoofed.map((s) => s.labels['hypo_service_id'])).to.deep.equal(['tenant-a'])
    const tenantB = await instantQuery(ctx.lab.central, 'count by (instance) (container_memory_working_set_bytes{hypo_service_id="tenant-b"})')
    expect(tenantB.map((s) => s.labels['instance'])).to.deep.equal([clusterOf(ctx.lab, 'west').exporter.address])
  })

  it("verify finds the Operator's job by its serviceId target label and the service's own ScrapeConfig: every link ok, exit 0", async () => {
    const run = await eventually(
      () => runCli(['verify', 'tenant-a', '--json', '--rate-interval', '20s'], ctx.harness.stack.env),
      (r) => r.code === 0,
      'verify ok',
      labPatience,
    )
    const checks = checksOf(run)
    expect(checks.filter((c) => c.status === 'fail')).to.deep.equal([])
    expect(checks.find((c) => c.name === 'scrape.job')?.reason).to.equal(
      `ScrapeConfig ${DEV_SCRAPE_CONFIG.namespace}/${scrapeConfigName('tenant-a')}, owned, scraping ${clusterOf(ctx.lab, 'east').prometheus.address}`,
    )
    expect(checks.find((c) => c.name === 'prometheus.target')?.reason).to.include(`job ${jobOf('tenant-a')}: up`)
    expect(checks.filter((c) => c.name.startsWith('prometheus.panel')).map((c) => c.status)).to.deep.equal(['ok', 'ok', 'ok', 'ok'])
  })

  it("after a delete and a reload the target is gone, the other service's stays up and keeps its values", async () => {
    const del = deleteRequest('tenant-a')
    await publishRequests([del])
    expect(await statusOf(del)).to.equal('SUCCESS')
    await loadObjects()
    const left = await eventually(
      () => activeTargets(ctx.lab.central),
      (ts) => ts.length === 1 && ts[0]?.job === jobOf('tenant-b') && ts[0].health === 'up',
      'only tenant-b left',
      labPatience,
    )
    expect(left.map((t) => t.job)).to.deep.equal([jobOf('tenant-b')])
    await expectPanelsShowCluster(ctx.lab, ctx.harness.stack.grafana, 'tenant-b', 'west', ['billing', 'default'])
  })
})
