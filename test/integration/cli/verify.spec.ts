/**
 * `telemetry-client verify` through the running service and a real Prometheus: services created
 * over Kafka, the secret loaded into the lab's central Prometheus, Grafana's data source proxy
 * (the simulator's) forwarding to it and to its Loki stand-in. The whole chain is ok once; then
 * each link is broken once — the job removed by hand, the target down, a datasource missing, a
 * dashboard deleted, no data — and verify names that link with what to do. No run changes
 * anything in Kubernetes or Grafana.
 */
import { expect } from 'chai'
import { dump, load } from '../../support/yaml.js'
import { DEV_SECRET } from '../../../dev/dev-stack.js'
import { OWNERSHIP_KEY } from '../../../src/codecs/apis/owned-jobs.js'
import { dashboardUid } from '../../../src/effects/grafana/dashboard-uids.js'
import { checksOf, runCli, type JsonCheck as Check } from '../../support/run-cli.js'
import { createOnCluster } from '../../support/lab-requests.js'
import { labPatience, useLabHarness } from '../../support/prometheus-fixture.js'
import { eventually } from '../../support/wait.js'
import { createRequest, envelopeOf, platformRequest, publishRequests, resultOf } from '../../support/request-builders.js'

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
  readonly checks: readonly Check[]
}

const PANELS = ['Memory Usage', 'CPU Usage', 'Network Received (Mbit/s)', 'Network Transmitted (Mbit/s)'].map((t) => `prometheus.panel ${t}`)
const WRITE_KINDS = ['dashboard.upsert', 'dashboard.delete', 'dashboard.restore', 'folder.create']

describe('telemetry-client verify', function () {
  this.timeout(120_000)
  const ctx = useLabHarness({ PROMETHEUS_TARGET_ALLOW: '127.0.0.0/8' })

  const verify = async (argv: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<Run> => {
    const writes = ctx.harness.stack.kube.successfulWrites
    const grafanaWrites = WRITE_KINDS.map((k) => ctx.harness.stack.grafana.requests.get(k) ?? 0)
    const run = await runCli(['verify', ...argv], { ...ctx.harness.stack.env, ...env })
    expect(ctx.harness.stack.kube.successfulWrites, 'verify wrote to Kubernetes').to.equal(writes)
    expect(
      WRITE_KINDS.map((k) => ctx.harness.stack.grafana.requests.get(k) ?? 0),
      'verify wrote to Grafana',
    ).to.deep.equal(grafanaWrites)
    return { ...run, checks: argv.includes('--json') && run.stdout !== '' ? checksOf(run) : [] }
  }
  const statusOf = (run: Run, name: string): string | undefined => run.checks.find((c) => c.name === name)?.status
  const checkOf = (run: Run, name: string): Check => {
    const found = run.checks.find((c) => c.name === name)
    if (found === undefined) throw new Error(`no check ${name} in ${JSON.stringify(run.checks.map((c) => c.name))}`)
    return found
  }
  const created = async (request: Parameters<typeof publishRequests>[0][number]): Promise<void> => {
    await publishRequests([request])
    expect(envelopeOf(await resultOf(ctx.results, request)).data['dashboardDataOrderStatus']).to.equal('SUCCESS')
    await ctx.lab.loadScrapeConfigs(ctx.harness.stack.scrapeConfigs() ?? '')
  }

  it("the whole chain: every link ok (logs: accepted, no lines yet, a warning), exit 0; the text form shows each panel's values", async () => {
    await created(createOnCluster(ctx.lab, 'svc-ok', 'east', ['shop', 'default']))
    const run = await eventually(
      () => verify(['svc-ok', '--json']),
      (r) => PANELS.every((p) => statusOf(r, p) === 'ok'),
      'every panel ok',
      labPatience,
    )
    expect(run.code).to.equal(0)
    expect(run.checks.map((c) => [c.name, c.status])).to.deep.equal([
      ['eventlog.service', 'ok'],
      ['eventlog.last-result', 'ok'],
      ['scrape.job', 'ok'],
      ['grafana.datasource Prometheus', 'ok'],
      ['grafana.datasource Loki', 'ok'],
      ['grafana.dashboard metrics', 'ok'],
      ['grafana.dashboard logs', 'ok'],
      ['prometheus.target', 'ok'],
      ...PANELS.map((p) => [p, 'ok']),
      ['loki.query logs', 'warning'],
    ])
    expect(checkOf(run, 'prometheus.panel Memory Usage').reason).to.equal('2 series: default=209715200, shop=112197632')
    expect(checkOf(run, 'prometheus.target').reason)
      .to.include('job svc-ok: up')
      .and.include(`${ctx.lab.clusters.get('east')?.prometheus.address ?? '?'}/federate`)

    const text = await verify(['svc-ok'])
    expect(text.code).to.equal(0)
    expect(text.stdout).to.match(/^ok {6}prometheus\.panel Memory Usage: 2 series: default=209715200, shop=112197632$/m)
    expect(text.stdout).to.match(/^warning loki\.query logs: \{namespace=~"shop\|default"\} accepted by Loki, but no log lines in the last hour → /m)
    expect(text.stdout).to.match(/\n\n12 ok, 1 warning\(s\), 0 failed\n$/)
  })

  it('the job removed from the secret by hand: scrape.job fails and says reconcile, exit 1', async () => {
    await created(createOnCluster(ctx.lab, 'svc-hand', 'east', ['shop']))
    const secret = ctx.harness.stack.kube.secret(DEV_SECRET.namespace, DEV_SECRET.name)
    const jobs = (load(secret?.data[DEV_SECRET.key] ?? '') as ReadonlyArray<{ job_name: string }>).filter((j) => j.job_name !== 'svc-hand')
    ctx.harness.stack.kube.setSecret(DEV_SECRET.namespace, DEV_SECRET.name, { ...secret?.data, [DEV_SECRET.key]: dump(jobs) })
    const run = await verify(['svc-hand', '--json'])
    expect(run.code).to.equal(1)
    expect(checkOf(run, 'scrape.job')).to.include({ status: 'fail' })
    expect(checkOf(run, 'scrape.job').reason).to.include('no job svc-hand in secret monitoring/prometheus-additional-scrape-configs')
    expect(checkOf(run, 'scrape.job').action).to.include('telemetry-client reconcile --service svc-hand')
    expect(ctx.harness.stack.kube.secret(DEV_SECRET.namespace, DEV_SECRET.name)?.data[OWNERSHIP_KEY]).to.include('svc-hand')
  })

  it('the target down: prometheus.target fails with the scrape error, the panels name it, exit 1', async () => {
    const request = createRequest('svc-down', ['shop'])
    await created({ ...request, data: { ...request.data, prometheus: ctx.lab.unhealthy } })
    const run = await eventually(
      () => verify(['svc-down', '--json']),
      (r) => checkOf(r, 'prometheus.target').reason.includes(': down, '),
      'target down',
      labPatience,
    )
    expect(run.code).to.equal(1)
    expect(checkOf(run, 'prometheus.target').reason).to.include('down').and.include('503')
    expect(checkOf(run, 'prometheus.target').action).to.include(`${ctx.lab.unhealthy.host}:${ctx.lab.unhealthy.port}`)
    expect(PANELS.map((p) => checkOf(run, p).reason)).to.deep.equal(PANELS.map(() => 'no series: the job is down (prometheus.target)'))
  })

  it('a datasource missing: grafana.datasource fails, the Prometheus links are not tried, the dashboard names the uid it queries, exit 1', async () => {
    const run = await verify(['svc-ok', '--json'], { GRAFANA_PROMETHEUS_DATASOURCE_UID: 'no-such-prometheus' })
    expect(run.code).to.equal(1)
    expect(checkOf(run, 'grafana.datasource Prometheus')).to.include({ status: 'fail' })
    expect(checkOf(run, 'grafana.datasource Prometheus').action).to.include('GRAFANA_PROMETHEUS_DATASOURCE_UID')
    expect(checkOf(run, 'grafana.dashboard metrics')).to.include({ status: 'warning' })
    expect(checkOf(run, 'grafana.dashboard metrics').reason).to.include('queries datasource prometheus')
    expect(run.checks.filter((c) => c.name.startsWith('prometheus.'))).to.deep.equal([])
  })

  it('no data: the job is up but the namespaces have no series — a failure naming the namespaces once the job was scraped twice, exit 1', async () => {
    await created(createOnCluster(ctx.lab, 'svc-ghost', 'east', ['ghost']))
    // right after the reload the target may not be discovered yet, then not scraped twice (a warning)
    const run = await eventually(
      () => verify(['svc-ghost', '--json']),
      (r) => checkOf(r, 'prometheus.panel Memory Usage').reason.includes('no series for namespaces'),
      'no-data failure',
      labPatience,
    )
    expect(run.code).to.equal(1)
    expect(checkOf(run, 'prometheus.target')).to.include({ status: 'ok' })
    expect(checkOf(run, 'prometheus.panel Memory Usage').reason).to.include('no series for namespaces ghost')
    expect(checkOf(run, 'prometheus.panel Memory Usage').action).to.include('{namespace=~"ghost"}')
  })

  it('a dashboard deleted by hand: grafana.dashboard fails and says reconcile; its queries are still checked as generated, exit 1', async () => {
    ctx.harness.stack.grafana.deleteDashboardDirect(dashboardUid('svc-ok', 'metrics'))
    const run = await verify(['svc-ok', '--json'])
    expect(run.code).to.equal(1)
    expect(checkOf(run, 'grafana.dashboard metrics')).to.include({ status: 'fail' })
    expect(checkOf(run, 'grafana.dashboard metrics').action).to.include('telemetry-client reconcile --service svc-ok')
    expect(PANELS.map((p) => statusOf(run, p))).to.deep.equal(PANELS.map(() => 'ok'))
  })

  it('a platform service (logs only): no job expected, its Loki datasource, dashboard and query checked, no Prometheus link, exit 0', async () => {
    const platform = platformRequest('platform-verify', ['hypo-system'], 'SONATA')
    await publishRequests([platform])
    expect(envelopeOf(await resultOf(ctx.results, platform)).data['dashboardDataOrderStatus']).to.equal('SUCCESS')
    const run = await verify(['platform-verify', '--json'])
    expect(run.code).to.equal(0)
    expect(run.checks.map((c) => [c.name, c.status])).to.deep.equal([
      ['eventlog.service', 'ok'],
      ['eventlog.last-result', 'ok'],
      ['scrape.job', 'ok'],
      ['grafana.datasource Loki', 'ok'],
      ['grafana.dashboard platform', 'ok'],
      ['loki.query platform', 'warning'],
    ])
    expect(checkOf(run, 'scrape.job').reason).to.include('none expected')
  })

  it('an unknown service fails on the event log; no serviceId is a usage error (2)', async () => {
    const unknown = await verify(['no-such-service', '--json'])
    expect(unknown.code).to.equal(1)
    expect(unknown.checks.map((c) => [c.name, c.status])).to.deep.equal([['eventlog.service', 'fail']])
    expect((await verify([])).code).to.equal(2)
    expect((await verify(['svc-ok', '--rate-interval', 'soon'])).code).to.equal(2)
  })
})
