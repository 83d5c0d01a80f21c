/**
 * SCRAPE_CONFIG_BACKEND=scrapeconfig end to end (Kafka → Redis → simulators → Kafka): each create
 * applies one ScrapeConfig for its service, a delete removes it, and the event log, idempotency,
 * results and ownership rules are those of the secret backend. The secret is never touched.
 */
import { expect } from 'chai'
import { RequestTopics, ResultTopics } from '../../../src/codecs/topics.js'
import { scrapeConfigName } from '../../../src/effects/kube/scrapeconfig/scrape-config-name.js'
import { DEV_SCRAPE_CONFIG } from '../../../dev/dev-stack.js'
import { useHarness } from '../../support/harness-hooks.js'
import { createRequest, dataOf, deleteRequest, platformRequest, publishRequests, resultOf } from '../../support/request-builders.js'
import { SCRAPECONFIG_MODE, scrapeConfigObjectOf, type WireScrapeConfig } from '../../support/wire-scrape-config.js'

describe('scrapeconfig backend: all three flows end to end', function () {
  this.timeout(120_000)
  const ctx = useHarness({ harness: { env: SCRAPECONFIG_MODE } })

  const objectOf = (serviceId: string) => scrapeConfigObjectOf(ctx.harness.stack.kube, serviceId)
  const secretValue = () => ctx.harness.stack.scrapeConfigs() ?? ''

  it('a create applies one ScrapeConfig that federates as the secret job does, and answers SUCCESS', async () => {
    const serviceId = 'ecc4345a-2097-4c3b-a40c-a9e791cdccbb'
    const request = createRequest(serviceId)
    await publishRequests([request])
    const result = await resultOf(ctx.results, request)
    expect(result.topic).to.equal(ResultTopics.create)
    expect(dataOf(result)).to.include({ serviceId, dashboardDataOrderStatus: 'SUCCESS' })

    const object = objectOf(serviceId)
    expect(object, 'the ScrapeConfig').to.exist
    expect(object?.metadata.labels).to.deep.equal({ release: 'prometheus', 'app.kubernetes.io/managed-by': 'telemetry-client' })
    expect(object?.metadata.annotations).to.deep.equal({ 'telemetry-client.etsi-hypo/service-id': serviceId })
    expect(object?.metadata.managedFields?.map((m) => [m.manager, m.operation])).to.deep.equal([['telemetry-client', 'Apply']])
    expect(object?.spec).to.deep.equal({
      jobName: serviceId,
      staticConfigs: [{ targets: ['10.10.10.4:30180'], labels: { serviceId } }],
      metricsPath: '/federate',
      params: { 'match[]': ['{namespace=~"NAMESPACE_1|NAMESPACE_2"}'] },
      honorLabels: true,
      metricRelabelings: [{ action: 'replace', targetLabel: 'hypo_service_id', replacement: serviceId }],
    })
    expect(secretValue(), 'the secret is not touched in scrapeconfig mode').to.equal('')
    expect(ctx.harness.stack.grafana.dashboards().filter((d) => d.uid.endsWith(serviceId))).to.have.length(2)
  })

  it('a serviceId that is no DNS name still gets a valid, distinct object name, with the id in the annotation', async () => {
    const ids = ['Svc_A', 'svc-a', 'svc.a']
    const requests = ids.map((id) => createRequest(id))
    await publishRequests(requests)
    for (const request of requests) expect(dataOf(await resultOf(ctx.results, request))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    const names = ids.map(scrapeConfigName)
    expect(new Set(names).size).to.equal(3)
    for (const [i, id] of ids.entries()) {
      expect(names[i]).to.match(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/)
      expect(objectOf(id)?.metadata.annotations?.['telemetry-client.etsi-hypo/service-id']).to.equal(id)
    }
  })

  it('a redelivered create answers again and leaves one object; a changed create updates it in place', async () => {
    const serviceId = 'sc-idempotent'
    const first = createRequest(serviceId)
    await publishRequests([first, first])
    await resultOf(ctx.results, first)
    const changed = createRequest(serviceId, ['NAMESPACE_3'], 30200)
    await publishRequests([changed])
    expect(dataOf(await resultOf(ctx.results, changed))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    const objects = ctx.harness.stack.scrapeConfigObjects().filter((o) => (o as unknown as WireScrapeConfig).metadata.name === scrapeConfigName(serviceId))
    expect(objects).to.have.length(1)
    expect(objectOf(serviceId)?.spec['staticConfigs']).to.deep.equal([{ targets: ['10.10.10.4:30200'], labels: { serviceId } }])
    expect(objectOf(serviceId)?.spec['params']).to.deep.equal({ 'match[]': ['{namespace=~"NAMESPACE_3"}'] })
  })

  it('a delete removes the object and the dashboards and answers SUCCESS', async () => {
    const serviceId = 'sc-delete-me'
    const create = createRequest(serviceId)
    await publishRequests([create])
    await resultOf(ctx.results, create)
    expect(objectOf(serviceId)).to.exist
    const del = deleteRequest(serviceId)
    await publishRequests([del])
    const result = await resultOf(ctx.results, del)
    expect(result.topic).to.equal(ResultTopics.delete)
    expect(dataOf(result)).to.include({ serviceId, dashboardDataOrderStatus: 'SUCCESS' })
    expect(objectOf(serviceId)).to.equal(undefined)
    expect(ctx.harness.stack.grafana.dashboards().filter((d) => d.uid.endsWith(serviceId))).to.have.length(0)
  })

  it('never takes over or removes a ScrapeConfig somebody else created under the same name', async () => {
    const serviceId = 'sc-foreign'
    const name = scrapeConfigName(serviceId)
    const foreign = {
      apiVersion: 'monitoring.coreos.com/v1alpha1',
      kind: 'ScrapeConfig',
      metadata: { name, labels: { team: 'other' } },
      spec: { jobName: 'theirs', staticConfigs: [{ targets: ['other:9090'] }] },
    }
    ctx.harness.stack.kube.setScrapeConfig(DEV_SCRAPE_CONFIG.namespace, foreign)
    const create = createRequest(serviceId)
    await publishRequests([create])
    const created = dataOf(await resultOf(ctx.results, create))
    expect(created).to.include({ dashboardDataOrderStatus: 'FAILURE' })
    expect(String(created['dashboardDataOrderMessage'])).to.match(/not created by this service/)
    const del = deleteRequest(serviceId)
    await publishRequests([del])
    expect(dataOf(await resultOf(ctx.results, del))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    expect(objectOf(serviceId)?.spec).to.deep.equal(foreign.spec)
    expect(objectOf(serviceId)?.metadata.labels).to.deep.equal({ team: 'other' })
  })

  it('the next changed create takes back the fields a hand edit changed (apply with force); unchanged, it is drift for reconcile', async () => {
    const serviceId = 'sc-hand-edit'
    const create = createRequest(serviceId)
    await publishRequests([create])
    await resultOf(ctx.results, create)
    const edited = objectOf(serviceId)
    ctx.harness.stack.kube.setScrapeConfig(DEV_SCRAPE_CONFIG.namespace, { ...edited, spec: { ...edited?.spec, staticConfigs: [{ targets: ['evil:1'] }] } })
    const again = createRequest(serviceId, ['NAMESPACE_1', 'NAMESPACE_2'], 30181)
    await publishRequests([again])
    expect(dataOf(await resultOf(ctx.results, again))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    expect(objectOf(serviceId)?.spec['staticConfigs']).to.deep.equal([{ targets: ['10.10.10.4:30181'], labels: { serviceId } }])
  })

  it('rides out transient apiserver faults (503, 429) and still answers SUCCESS once', async () => {
    const kube = ctx.harness.stack.kube
    kube.faults.add({ kind: 'scrapeconfig.patch', effect: { type: 'status', status: 503 }, times: 2 })
    kube.faults.add({ kind: 'scrapeconfig.get', effect: { type: 'status', status: 429, retryAfterSeconds: 1 }, times: 1 })
    try {
      const serviceId = 'sc-transient'
      const create = createRequest(serviceId)
      await publishRequests([create])
      expect(dataOf(await resultOf(ctx.results, create))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
      expect(objectOf(serviceId)).to.exist
      await new Promise((r) => setTimeout(r, 300))
      expect(ctx.results.messages.filter((m) => String(m.value).includes(create.kogitoprocinstanceid))).to.have.length(1)
      const metrics = (await ctx.harness.service?.metrics.registry.metrics()) ?? ''
      expect(metrics).to.match(/telemetry_scrapeconfig_attempts_total\{op="upsert",outcome="retried"\} [1-9]/)
      expect(metrics).to.match(/telemetry_scrapeconfig_attempts_total\{op="upsert",outcome="ok"\} [1-9]/)
    } finally {
      kube.faults.clear()
    }
  })

  it('the platform flow is unchanged: a logs dashboard, no ScrapeConfig', async () => {
    const before = ctx.harness.stack.scrapeConfigObjects().length
    const request = platformRequest('sc-platform', ['NAMESPACE_1'])
    await publishRequests([request])
    const result = await resultOf(ctx.results, request)
    expect(result.topic).to.equal(ResultTopics.platform)
    expect(dataOf(result)).to.include({ serviceId: 'sc-platform' })
    expect(ctx.harness.stack.scrapeConfigObjects()).to.have.length(before)
    expect(RequestTopics.platform).to.equal(request.type)
  })

  it('reports the ScrapeConfig API in /readyz', async () => {
    const readiness = await ctx.harness.service?.readiness()
    expect(readiness?.ready).to.equal(true)
  })
})
