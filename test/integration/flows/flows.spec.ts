import { expect } from 'chai'
import { load } from '../../support/yaml.js'
import { randomUUID } from 'node:crypto'
import { RequestTopics, ResultTopics } from '../../../src/codecs/topics.js'
import { createRequestSample, deleteRequestSample } from '../../fixtures/spec-samples.js'
import { publish, type CollectedMessage } from '../../support/kafka-helpers.js'
import { checkScrapeConfigsWithPromtool } from '../../support/promtool.js'
import { useHarness } from '../../support/harness-hooks.js'

const json = (m: CollectedMessage): Record<string, unknown> => JSON.parse(m.value?.toString('utf8') ?? 'null') as Record<string, unknown>
const dataOf = (m: CollectedMessage) => json(m)['data'] as Record<string, unknown>

const createRequest = (serviceId: string, namespaces: string[] = ['NAMESPACE_1', 'NAMESPACE_2']) => ({
  ...createRequestSample,
  id: randomUUID(),
  kogitoprocinstanceid: randomUUID(),
  data: { serviceId, namespaces, prometheus: { host: '10.10.10.4', port: 30180 } },
})
const deleteRequest = (serviceId: string) => ({ ...deleteRequestSample, id: randomUUID(), kogitoprocinstanceid: randomUUID(), data: { serviceId } })

describe('SONATA flows end to end (Kafka → Redis → simulators → Kafka)', function () {
  this.timeout(120_000)
  const ctx = useHarness()

  const resultFor = (requestId: string, procInstance: string) =>
    ctx.results
      .waitFor((m) => json(m)['kogitoprocrefid'] === procInstance && typeof json(m)['id'] === 'string', 30_000)
      .then((m) => {
        expect(m, requestId).to.exist
        return m
      })

  it("turns the spec's create sample into a scrape job, two dashboards and a SUCCESS result", async () => {
    await publish(RequestTopics.create, [{ key: createRequestSample.data.serviceId, value: JSON.stringify(createRequestSample) }])
    const result = await resultFor(createRequestSample.id, createRequestSample.kogitoprocinstanceid)
    const envelope = json(result)
    expect(result.topic).to.equal(ResultTopics.create)
    expect(envelope).to.include({
      specversion: '1.0',
      type: ResultTopics.create,
      kogitoprocrefid: createRequestSample.kogitoprocinstanceid,
      kogitoprocid: 'serviceTelemetryProcess',
    })
    const data = dataOf(result)
    expect(Object.keys(data).sort()).to.deep.equal([
      'dashboardDataOrderMessage',
      'dashboardDataOrderStatus',
      'dashboardId',
      'logsDashboardUrl',
      'metricsDashboardUrl',
      'serviceId',
    ])
    expect(data).to.include({ serviceId: createRequestSample.data.serviceId, dashboardDataOrderStatus: 'SUCCESS' })
    expect(data['metricsDashboardUrl']).to.match(/^http:\/\/grafana\.local:3000\/d\//)

    const yaml = ctx.harness.stack.scrapeConfigs() ?? ''
    const jobs = load(yaml) as Array<Record<string, unknown>>
    expect(jobs).to.have.length(1)
    expect(jobs[0]).to.deep.equal({
      job_name: createRequestSample.data.serviceId,
      honor_labels: true,
      metrics_path: '/federate',
      params: { 'match[]': ['{namespace=~"NAMESPACE_1|NAMESPACE_2"}'] },
      static_configs: [{ targets: ['10.10.10.4:30180'], labels: { serviceId: createRequestSample.data.serviceId } }],
      metric_relabel_configs: [{ action: 'replace', target_label: 'hypo_service_id', replacement: createRequestSample.data.serviceId }],
    })
    const promtool = await checkScrapeConfigsWithPromtool(yaml)
    expect(promtool.ok, promtool.output).to.equal(true)

    const dashboards = ctx.harness.stack.grafana.dashboards()
    const metrics = dashboards.find((d) => d.folderUid === 'etsi-hypo-app-metrics')
    const logs = dashboards.find((d) => d.folderUid === 'etsi-hypo-end-user-service-logs')
    expect(metrics, 'metrics dashboard').to.exist
    expect(logs, 'logs dashboard').to.exist
    const panels = (metrics?.model['panels'] as Array<{ title: string }>).map((p) => p.title)
    expect(panels).to.deep.equal(['Memory Usage', 'CPU Usage', 'Network Received (Mbit/s)', 'Network Transmitted (Mbit/s)'])
    expect(ctx.harness.stack.grafana.folders().map((f) => f.title)).to.include.members(['ETSI HypO App Metrics', 'ETSI HypO End-User Service Logs'])
  })

  it("turns the spec's delete sample into an empty secret, no dashboards and a SUCCESS result", async () => {
    await publish(RequestTopics.delete, [{ key: deleteRequestSample.data.serviceId, value: JSON.stringify(deleteRequestSample) }])
    const result = await resultFor(deleteRequestSample.id, deleteRequestSample.kogitoprocinstanceid)
    expect(result.topic).to.equal(ResultTopics.delete)
    expect(dataOf(result)).to.include({ serviceId: deleteRequestSample.data.serviceId, dashboardDataOrderStatus: 'SUCCESS' })
    expect(load(ctx.harness.stack.scrapeConfigs() ?? '') ?? []).to.deep.equal([])
    expect(ctx.harness.stack.grafana.dashboards().filter((d) => d.tags.some((t) => t.includes(deleteRequestSample.data.serviceId)))).to.deep.equal([])
  })

  it('deleting an unknown serviceId is a SUCCESS that says nothing was there', async () => {
    const request = deleteRequest('never-seen-service')
    await publish(RequestTopics.delete, [{ key: 'never-seen-service', value: JSON.stringify(request) }])
    const data = dataOf(await resultFor(request.id, request.kogitoprocinstanceid))
    expect(data['dashboardDataOrderStatus']).to.equal('SUCCESS')
    expect(data['dashboardDataOrderMessage']).to.match(/nothing/i)
  })

  it('50 creates published at once: all jobs present, no duplicates, far fewer than 50 secret writes', async () => {
    const before = ctx.harness.stack.kube.successfulWrites
    const requests = Array.from({ length: 50 }, (_, i) => createRequest(`svc-burst-${i}`))
    await publish(
      RequestTopics.create,
      requests.map((r) => ({ key: r.data.serviceId, value: JSON.stringify(r) })),
    )
    await Promise.all(requests.map((r) => resultFor(r.id, r.kogitoprocinstanceid)))
    const jobs = load(ctx.harness.stack.scrapeConfigs() ?? '') as Array<{ job_name: string }>
    const names = jobs.map((j) => j.job_name)
    expect(new Set(names).size).to.equal(names.length)
    expect(names).to.include.members(requests.map((r) => r.data.serviceId))
    const writes = ctx.harness.stack.kube.successfulWrites - before
    expect(writes).to.be.lessThan(25)
    expect(ctx.harness.stack.kube.maxConcurrentWrites).to.equal(1)
    const promtool = await checkScrapeConfigsWithPromtool(ctx.harness.stack.scrapeConfigs() ?? '')
    expect(promtool.ok, promtool.output).to.equal(true)
  })

  it('create → delete → create back to back ends with the job and dashboards present', async () => {
    const id = 'svc-cdc'
    const [c1, d, c2] = [createRequest(id), deleteRequest(id), createRequest(id, ['ns-final'])]
    await publish(RequestTopics.create, [{ key: id, value: JSON.stringify(c1) }])
    await publish(RequestTopics.delete, [{ key: id, value: JSON.stringify(d) }])
    await publish(RequestTopics.create, [{ key: id, value: JSON.stringify(c2) }])
    await resultFor(c2.id, c2.kogitoprocinstanceid)
    const jobs = load(ctx.harness.stack.scrapeConfigs() ?? '') as Array<{ job_name: string; params: Record<string, string[]> }>
    const job = jobs.filter((j) => j.job_name === id)
    expect(job).to.have.length(1)
    expect(job[0]?.params['match[]']).to.deep.equal(['{namespace=~"ns-final"}'])
    expect(ctx.harness.stack.grafana.dashboards().filter((x) => x.uid.endsWith(id))).to.have.length(2)
  })

  it("the service's /metrics counts what it received from Kafka and what it completed", async () => {
    const service = ctx.harness.service
    if (service === undefined) throw new Error('the harness has no running service')
    const text = await (await fetch(`${service.http.url}/metrics`)).text()
    const sample = (series: string) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(`${series} `))
          ?.split(' ')[1] ?? 'NaN',
      )
    // the specs above sent 50+ creates and two deletes through this one service
    expect(sample(`telemetry_requests_received_total{topic="${RequestTopics.create}",outcome="accepted"}`)).to.be.at.least(50)
    expect(sample(`telemetry_requests_received_total{topic="${RequestTopics.delete}",outcome="accepted"}`)).to.be.at.least(2)
    expect(sample('telemetry_requests_total{kind="create",status="SUCCESS"}')).to.be.at.least(50)
    expect(sample('telemetry_secret_writes_total')).to.be.at.least(1)
  })
})
