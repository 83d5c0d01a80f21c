/**
 * Grafana: only its own, end to end through `/apis` (GRAFANA_API=apis, the harness' default):
 * each dashboard carries the labels and the annotation naming the service; services `ABC` and
 * `abc` keep their own dashboards; a person's copy (labels copied too) in their folder survives the
 * delete; a dashboard a person moved into their folder is left there and named in the SUCCESS
 * answer; a foreign folder under the service's folder uid is not adopted.
 */
import { expect } from 'chai'
import { MANAGED_BY_LABEL, SERVICE_ID_ANNOTATION, SERVICE_LABEL, dashboardUid, serviceLabelValue } from '../../../src/effects/grafana/dashboard-uids.js'
import { Folders } from '../../../src/effects/grafana/folders.js'
import { expectForeignFolderNotAdopted } from '../../support/foreign-folder.js'
import { callAsPerson, dashboardByUid } from '../../support/grafana-as-person.js'
import { useHarness } from '../../support/harness-hooks.js'
import { createRequest, deleteRequest, envelopeOf, publishRequests, resultOf, type SentRequest } from '../../support/request-builders.js'

const DASHBOARDS = '/apis/dashboard.grafana.app/v1/namespaces/default/dashboards'
const FOLDERS = '/apis/folder.grafana.app/v1/namespaces/default/folders'

describe('Grafana: only its own, end to end through /apis', function () {
  this.timeout(60_000)
  const ctx = useHarness()
  const grafana = () => ctx.harness.stack.grafana
  const byUid = (uid: string) => dashboardByUid(grafana(), uid)
  const answer = async (request: SentRequest) => envelopeOf(await resultOf(ctx.results, request)).data
  /** As a person (or kubectl) would: the `/apis` resources with the service's token. */
  const api = (method: string, path: string, body?: unknown) => callAsPerson(grafana(), method, path, body)
  const folder = (uid: string, title: string) => api('POST', FOLDERS, { metadata: { name: uid }, spec: { title } })

  it("labels and annotates each dashboard with the service; abc and ABC keep their own; deleting ABC leaves abc's", async () => {
    const lower = createRequest('abc', ['default'])
    await publishRequests([lower])
    expect(await answer(lower)).to.include({ dashboardDataOrderStatus: 'SUCCESS', dashboardId: dashboardUid('abc', 'metrics') })
    const before = byUid(dashboardUid('abc', 'metrics'))
    expect(before?.labels).to.include({ [MANAGED_BY_LABEL]: 'telemetry-client', [SERVICE_LABEL]: 'abc' })
    expect(before?.annotations).to.include({ [SERVICE_ID_ANNOTATION]: 'abc' })
    const upper = createRequest('ABC', ['default'])
    await publishRequests([upper])
    expect(await answer(upper)).to.include({ dashboardDataOrderStatus: 'SUCCESS', dashboardId: dashboardUid('ABC', 'metrics') })
    // upper case is no valid readable label value for every store: the hashed form, the exact id in the annotation
    expect(byUid(dashboardUid('ABC', 'metrics'))?.labels[SERVICE_LABEL])
      .to.equal(serviceLabelValue('ABC'))
      .and.match(/^sha256\.[0-9a-f]{32}$/)
    expect(byUid(dashboardUid('ABC', 'metrics'))?.annotations[SERVICE_ID_ANNOTATION]).to.equal('ABC')

    const remove = deleteRequest('ABC')
    await publishRequests([remove])
    expect((await answer(remove))['deletedDashboardUids']).to.have.members([dashboardUid('ABC', 'metrics'), dashboardUid('ABC', 'logs')])
    expect(byUid(dashboardUid('abc', 'metrics'))).to.deep.include({ title: before?.title, version: before?.version })
  })

  it("a person's copy with the same labels and annotation, in their folder, survives the delete", async () => {
    const create = createRequest('svc-copied', ['default'])
    await publishRequests([create])
    expect(await answer(create)).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    const original = await api('GET', `${DASHBOARDS}/${dashboardUid('svc-copied', 'metrics')}`)
    const meta = original.body['metadata'] as { labels: Record<string, string>; annotations: Record<string, string> }
    expect((await folder('alice', 'Alice')).status).to.equal(201)
    const copy = await api('POST', DASHBOARDS, {
      metadata: { name: 'alice-copy', labels: meta.labels, annotations: { ...meta.annotations, 'grafana.app/folder': 'alice' } },
      spec: { ...(original.body['spec'] as Record<string, unknown>), title: 'My copy' },
    })
    expect(copy.status).to.equal(201)

    const remove = deleteRequest('svc-copied')
    await publishRequests([remove])
    expect((await answer(remove))['deletedDashboardUids']).to.have.members([dashboardUid('svc-copied', 'metrics'), dashboardUid('svc-copied', 'logs')])
    expect(byUid('alice-copy')).to.exist
  })

  it('a dashboard a person moved into their folder is left there: SUCCESS names it, the delete leaves it', async () => {
    const create = createRequest('svc-moved', ['default'])
    await publishRequests([create])
    expect(await answer(create)).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    expect((await folder('carol', 'Carol')).status).to.equal(201)
    const uid = dashboardUid('svc-moved', 'logs')
    const current = await api('GET', `${DASHBOARDS}/${uid}`)
    const meta = current.body['metadata'] as Record<string, unknown> & { annotations: Record<string, string> }
    const moved = await api('PUT', `${DASHBOARDS}/${uid}`, {
      ...current.body,
      metadata: { ...meta, annotations: { ...meta.annotations, 'grafana.app/folder': 'carol' } },
    })
    expect(moved.status).to.equal(200)
    const version = byUid(uid)?.version

    const again = createRequest('svc-moved', ['default', 'other'])
    await publishRequests([again])
    const data = await answer(again)
    expect(data['dashboardDataOrderStatus']).to.equal('SUCCESS')
    expect(data['dashboardDataOrderMessage']).to.include(uid).and.include('carol')
    expect(byUid(uid)).to.deep.include({ folderUid: 'carol', version })

    const remove = deleteRequest('svc-moved')
    await publishRequests([remove])
    expect((await answer(remove))['deletedDashboardUids']).to.deep.equal([dashboardUid('svc-moved', 'metrics')])
    expect(byUid(uid)?.folderUid).to.equal('carol')
  })

  it("a folder under the service's folder uid with another title is not adopted: FAILURE, nothing saved in it", async () => {
    expect((await folder(Folders.platform.uid, 'Somebody else')).status).to.equal(201)
    await expectForeignFolderNotAdopted(ctx, 'Somebody else')
  })
})
