/**
 * The platform-service flow end to end: a request on `telemetry-platform-service` becomes one Loki
 * logs dashboard in the folder "ETSI HypO Platform Service Logs" and a result on
 * `telemetry-platform-service-result`; it never touches the scrape-config secret.
 */
import { expect } from 'chai'
import { ResultTopics } from '../../../src/codecs/topics.js'
import { dashboardUid } from '../../../src/effects/grafana/dashboard-uids.js'
import { Folders } from '../../../src/effects/grafana/folders.js'
import { useHarness } from '../../support/harness-hooks.js'
import { envelopeOf, platformRequest, publishRequests, resultOf } from '../../support/request-builders.js'

interface Target {
  readonly expr?: string
  readonly datasource?: { readonly type?: string }
}
interface Panel {
  readonly type?: string
  readonly title?: string
  readonly targets?: readonly Target[]
}

describe('platform-service flow end to end', function () {
  this.timeout(60_000)
  const ctx = useHarness()

  const grafana = () => ctx.harness.stack.grafana
  const platformDashboard = (serviceId: string) =>
    grafana()
      .dashboards()
      .find((d) => d.uid === dashboardUid(serviceId, 'platform'))
  const upserts = () => grafana().requests.get('dashboard.upsert') ?? 0

  it('creates the logs dashboard in the platform folder and answers SUCCESS with its id and url', async () => {
    const writesBefore = ctx.harness.stack.kube.successfulWrites
    const request = platformRequest('sonata', ['hypo-sonata', 'hypo-sonata-db'], 'SONATA orchestrator')
    await publishRequests([request])
    const answer = await resultOf(ctx.results, request)
    const envelope = envelopeOf(answer)
    expect(answer.topic).to.equal(ResultTopics.platform)
    expect(answer.key).to.equal('sonata')
    expect(envelope).to.include({
      specversion: '1.0',
      type: ResultTopics.platform,
      kogitoprocrefid: request.kogitoprocinstanceid,
      kogitoprocid: 'platformServiceTelemetryProcess',
      datacontenttype: 'application/json',
    })
    expect(Object.keys(envelope.data).sort()).to.deep.equal([
      'dashboardDataOrderMessage',
      'dashboardDataOrderStatus',
      'dashboardId',
      'logsDashboardUrl',
      'serviceId',
    ])
    expect(envelope.data).to.include({ serviceId: 'sonata', dashboardDataOrderStatus: 'SUCCESS', dashboardId: dashboardUid('sonata', 'platform') })

    const dashboard = platformDashboard('sonata')
    expect(dashboard, 'platform dashboard').to.exist
    expect(envelope.data['logsDashboardUrl']).to.equal(`http://grafana.local:3000${dashboard?.url ?? ''}`)
    expect(dashboard?.folderUid).to.equal(Folders.platform.uid)
    expect(
      grafana()
        .folders()
        .find((f) => f.uid === dashboard?.folderUid)?.title,
    ).to.equal('ETSI HypO Platform Service Logs')
    expect(dashboard?.title).to.equal('Platform Service Logs — SONATA orchestrator (sonata)')
    const panels = dashboard?.model['panels'] as readonly Panel[]
    expect(panels.map((p) => p.type)).to.deep.equal(['logs'])
    expect(panels[0]?.targets?.map((t) => t.expr)).to.deep.equal(['{namespace=~"hypo-sonata|hypo-sonata-db"}'])
    expect(panels[0]?.targets?.[0]?.datasource?.type).to.equal('loki')

    // a platform service has no Prometheus job and no end-user dashboards
    expect(ctx.harness.stack.kube.successfulWrites).to.equal(writesBefore)
    expect(
      grafana()
        .dashboards()
        .filter((d) => d.tags.includes('service:sonata'))
        .map((d) => d.uid),
    ).to.deep.equal([dashboardUid('sonata', 'platform')])
  })

  it('the same definition again (a new request) succeeds without saving the dashboard again', async () => {
    const version = platformDashboard('sonata')?.version
    const savesBefore = upserts()
    const request = platformRequest('sonata', ['hypo-sonata', 'hypo-sonata-db'], 'SONATA orchestrator')
    await publishRequests([request])
    const data = envelopeOf(await resultOf(ctx.results, request)).data
    expect(data).to.include({ dashboardDataOrderStatus: 'SUCCESS', dashboardId: dashboardUid('sonata', 'platform') })
    expect(upserts()).to.equal(savesBefore)
    expect(platformDashboard('sonata')?.version).to.equal(version)
  })

  it('a changed definition overwrites the same dashboard (same uid, new version, new namespaces)', async () => {
    const before = platformDashboard('sonata')
    const request = platformRequest('sonata', ['hypo-sonata-v2'])
    await publishRequests([request])
    const data = envelopeOf(await resultOf(ctx.results, request)).data
    expect(data).to.include({ dashboardDataOrderStatus: 'SUCCESS', dashboardId: dashboardUid('sonata', 'platform') })
    const after = platformDashboard('sonata')
    expect(after?.id).to.equal(before?.id)
    expect(after?.version).to.equal((before?.version ?? 0) + 1)
    expect(after?.title).to.equal('Platform Service Logs — sonata')
    expect((after?.model['panels'] as readonly Panel[])[0]?.targets?.[0]?.expr).to.equal('{namespace=~"hypo-sonata-v2"}')
    expect(
      grafana()
        .dashboards()
        .filter((d) => d.folderUid === Folders.platform.uid),
    ).to.have.length(1)
  })

  it('namespaces are regex-escaped into the Loki query and a second platform service gets its own dashboard', async () => {
    const request = platformRequest('hypo.monitoring', ['hypo.monitoring', 'NAMESPACE_1'])
    await publishRequests([request])
    const data = envelopeOf(await resultOf(ctx.results, request)).data
    expect(data).to.include({ serviceId: 'hypo.monitoring', dashboardDataOrderStatus: 'SUCCESS' })
    const dashboard = platformDashboard('hypo.monitoring')
    expect(data['dashboardId']).to.equal(dashboard?.uid)
    expect((dashboard?.model['panels'] as readonly Panel[])[0]?.targets?.[0]?.expr).to.equal('{namespace=~"hypo\\\\.monitoring|NAMESPACE_1"}')
    expect(
      grafana()
        .dashboards()
        .filter((d) => d.folderUid === Folders.platform.uid),
    ).to.have.length(2)
  })
})
