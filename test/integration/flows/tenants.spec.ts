/**
 * Tenants apart, end to end (Kafka → Redis → simulators → Kafka): two services whose clusters share
 * namespace names get jobs that stamp different `hypo_service_id`s and dashboards that select on
 * them (and, with LOKI_SERVICE_LABEL, log queries that select the service); a create aimed at a
 * cloud metadata address answers FAILURE and writes nothing.
 */
import { expect } from 'chai'
import { load } from '../../support/yaml.js'
import { dashboardUid } from '../../../src/effects/grafana/dashboard-uids.js'
import { useHarness } from '../../support/harness-hooks.js'
import { checkScrapeConfigsWithPromtool } from '../../support/promtool.js'
import { createRequest, envelopeOf, publishRequests, resultOf } from '../../support/request-builders.js'

interface Panel {
  readonly targets?: ReadonlyArray<{ readonly expr?: string }>
}
interface Job {
  readonly job_name: string
  readonly honor_labels?: boolean
  readonly metric_relabel_configs?: unknown
}

describe('tenants apart end to end', function () {
  this.timeout(60_000)
  const ctx = useHarness({ harness: { env: { LOKI_SERVICE_LABEL: 'cluster' } } })
  const grafana = () => ctx.harness.stack.grafana
  const exprsOf = (uid: string): string[] =>
    (
      (grafana()
        .dashboards()
        .find((d) => d.uid === uid)?.model['panels'] ?? []) as readonly Panel[]
    ).flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''))

  it('two services with the same namespaces: disjoint relabel rules, metrics queries and log queries', async () => {
    const requests = [createRequest('tenant-a', ['default', 'kube-system']), createRequest('tenant-b', ['default', 'kube-system'])]
    await publishRequests(requests)
    for (const request of requests) expect(envelopeOf(await resultOf(ctx.results, request)).data['dashboardDataOrderStatus']).to.equal('SUCCESS')

    const yaml = ctx.harness.stack.scrapeConfigs() ?? ''
    const jobs = load(yaml) as readonly Job[]
    expect([...jobs].sort((x, y) => x.job_name.localeCompare(y.job_name)).map((j) => [j.job_name, j.honor_labels, j.metric_relabel_configs])).to.deep.equal([
      ['tenant-a', true, [{ action: 'replace', target_label: 'hypo_service_id', replacement: 'tenant-a' }]],
      ['tenant-b', true, [{ action: 'replace', target_label: 'hypo_service_id', replacement: 'tenant-b' }]],
    ])
    const promtool = await checkScrapeConfigsWithPromtool(yaml)
    expect(promtool.ok, promtool.output).to.equal(true)

    const [a, b] = ['tenant-a', 'tenant-b'].map((id) => exprsOf(dashboardUid(id, 'metrics')))
    expect(a).to.have.length(4)
    expect(a?.every((e) => e.includes('hypo_service_id="tenant-a"'))).to.equal(true)
    expect(b?.every((e) => e.includes('hypo_service_id="tenant-b"'))).to.equal(true)
    expect(a?.filter((e) => b?.includes(e))).to.deep.equal([])
    expect(exprsOf(dashboardUid('tenant-a', 'logs'))).to.deep.equal(['{namespace=~"default|kube-system",cluster="tenant-a"}'])
    expect(exprsOf(dashboardUid('tenant-b', 'logs'))).to.deep.equal(['{namespace=~"default|kube-system",cluster="tenant-b"}'])
  })

  it('a create aimed at 169.254.169.254 (cloud metadata) answers FAILURE naming target and policy, and writes nothing', async () => {
    const writes = ctx.harness.stack.kube.successfulWrites
    const secret = ctx.harness.stack.scrapeConfigs()
    const dashboards = grafana().dashboards().length
    const saves = grafana().requests.get('dashboard.upsert') ?? 0
    const request = {
      ...createRequest('svc-metadata'),
      data: { serviceId: 'svc-metadata', namespaces: ['default'], prometheus: { host: '169.254.169.254', port: 80 } },
    }
    const mapped = {
      ...createRequest('svc-mapped'),
      data: { serviceId: 'svc-mapped', namespaces: ['default'], prometheus: { host: '::ffff:169.254.169.254', port: 80 } },
    }
    await publishRequests([request, mapped])
    const data = envelopeOf(await resultOf(ctx.results, request)).data
    expect(data['dashboardDataOrderStatus']).to.equal('FAILURE')
    expect(data['dashboardDataOrderMessage']).to.include('169.254.169.254:80').and.include('PROMETHEUS_TARGET_ALLOW').and.include('link-local')
    const mappedData = envelopeOf(await resultOf(ctx.results, mapped)).data
    expect(mappedData['dashboardDataOrderStatus']).to.equal('FAILURE')
    expect(mappedData['dashboardDataOrderMessage']).to.include('[::ffff:169.254.169.254]:80')
    expect(ctx.harness.stack.kube.successfulWrites).to.equal(writes)
    expect(ctx.harness.stack.scrapeConfigs()).to.equal(secret)
    expect(grafana().dashboards()).to.have.length(dashboards)
    expect(grafana().requests.get('dashboard.upsert') ?? 0).to.equal(saves)
  })
})
