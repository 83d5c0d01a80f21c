/**
 * Grafana: only its own, end to end against a Grafana before 11.3 on MySQL (titles unique per
 * folder case-insensitively, `overwrite` takes the same-titled dashboard over). Services `ABC` and
 * `abc` keep their own dashboards; a person's "Save as" copy (same tags) survives the delete; a
 * save Grafana lands on another dashboard is refused and undone; a foreign folder under the
 * service's folder uid is not adopted; a dashboard a person moved into their folder is left there.
 * This Grafana has no `/apis`: the service, on GRAFANA_API=auto, speaks the legacy API
 * (the same cases through `/apis`: grafana-apis-ownership.spec.ts).
 */
import { expect } from 'chai'
import { MANAGED_TAG, dashboardUid, serviceTag } from '../../../src/effects/grafana/dashboard-uids.js'
import { Folders } from '../../../src/effects/grafana/folders.js'
import { expectForeignFolderNotAdopted } from '../../support/foreign-folder.js'
import { callAsPerson, dashboardByUid } from '../../support/grafana-as-person.js'
import { useHarness } from '../../support/harness-hooks.js'
import { createRequest, deleteRequest, envelopeOf, publishRequests, resultOf, type SentRequest } from '../../support/request-builders.js'

describe('Grafana: only its own, end to end (Grafana before 11.3 on MySQL)', function () {
  this.timeout(60_000)
  // a Grafana 11 has no `/apis` for dashboards: GRAFANA_API=auto finds that out and speaks the legacy API
  const ctx = useHarness({ harness: { grafana: { flavour: 'pre-11.3-mysql', apis: false }, env: { GRAFANA_API: 'auto' } } })
  const grafana = () => ctx.harness.stack.grafana
  const byUid = (uid: string) => dashboardByUid(grafana(), uid)
  const answer = async (request: SentRequest) => envelopeOf(await resultOf(ctx.results, request)).data
  /** As a person in the UI would: the Grafana API with the service's token; its status. */
  const api = async (method: string, path: string, body: unknown): Promise<number> => (await callAsPerson(grafana(), method, path, body)).status
  const saveAs = (dashboard: Record<string, unknown>, folderUid: string) =>
    api('POST', '/api/dashboards/db', { dashboard: { ...dashboard, id: null }, folderUid, overwrite: false })

  it("services abc and ABC: neither takes over the other's dashboards, and deleting ABC leaves abc's", async () => {
    const lower = createRequest('abc', ['default'])
    await publishRequests([lower])
    expect(await answer(lower)).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    const before = byUid(dashboardUid('abc', 'metrics'))
    const upper = createRequest('ABC', ['default'])
    await publishRequests([upper])
    expect(await answer(upper)).to.include({ dashboardDataOrderStatus: 'SUCCESS', dashboardId: dashboardUid('ABC', 'metrics') })

    expect(byUid(dashboardUid('abc', 'metrics'))).to.deep.include({ title: before?.title, version: before?.version })
    expect(byUid(dashboardUid('ABC', 'metrics'))?.title).to.match(/^App Metrics — ABC \[#[0-9a-f]{12}\]$/)
    expect(byUid(dashboardUid('ABC', 'logs'))?.folderUid).to.equal(Folders.logs.uid)

    const remove = deleteRequest('ABC')
    await publishRequests([remove])
    const removed = await answer(remove)
    expect(removed['deletedDashboardUids']).to.have.members([dashboardUid('ABC', 'metrics'), dashboardUid('ABC', 'logs')])
    expect(byUid(dashboardUid('abc', 'metrics'))).to.deep.include({ title: before?.title, version: before?.version })
    expect(byUid(dashboardUid('abc', 'logs'))).to.exist
  })

  it('a person\'s "Save as" copies (same tags) in their own folder and in General survive the delete', async () => {
    const create = createRequest('svc-copied', ['default'])
    await publishRequests([create])
    expect(await answer(create)).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    const original = byUid(dashboardUid('svc-copied', 'metrics'))
    expect(await api('POST', '/api/folders', { uid: 'alice', title: 'Alice' })).to.equal(200)
    expect(await saveAs({ ...original?.model, uid: 'alice-copy', title: 'My copy' }, 'alice')).to.equal(200)
    expect(await saveAs({ ...original?.model, uid: 'general-copy', title: 'Shared copy' }, '')).to.equal(200)
    expect(byUid('alice-copy')?.tags).to.deep.equal([MANAGED_TAG, serviceTag('svc-copied')])

    const remove = deleteRequest('svc-copied')
    await publishRequests([remove])
    const removed = await answer(remove)
    expect(removed['deletedDashboardUids']).to.have.members([dashboardUid('svc-copied', 'metrics'), dashboardUid('svc-copied', 'logs')])
    expect(byUid('alice-copy')).to.exist
    expect(byUid('general-copy')).to.exist
    expect(byUid(dashboardUid('svc-copied', 'metrics'))).to.equal(undefined)
  })

  it('a save Grafana lands on another dashboard (same title in the folder) answers FAILURE and the other is restored', async () => {
    expect(await saveAs({ uid: 'bob-board', title: 'App Metrics — svc-taken', tags: ['bob'], panels: [] }, Folders.metrics.uid)).to.equal(200)
    const bob = byUid('bob-board')
    const create = createRequest('svc-taken', ['default'])
    await publishRequests([create])
    const data = await answer(create)
    expect(data['dashboardDataOrderStatus']).to.equal('FAILURE')
    expect(data['dashboardDataOrderMessage']).to.include('bob-board').and.include('restored')
    const after = byUid('bob-board')
    expect(after).to.deep.include({ title: bob?.title, tags: ['bob'], id: bob?.id })
    expect(after?.model['panels']).to.deep.equal([])
    expect(byUid(dashboardUid('svc-taken', 'metrics'))).to.equal(undefined)
  })

  it("a folder under the service's folder uid with another title is not adopted: FAILURE, nothing saved in it", async () => {
    expect(await api('POST', '/api/folders', { uid: Folders.platform.uid, title: 'Somebody else' })).to.equal(200)
    await expectForeignFolderNotAdopted(ctx, 'Somebody else')
  })

  it('a dashboard a person moved into their folder is left there: SUCCESS names it, the delete leaves it', async () => {
    const create = createRequest('svc-moved', ['default'])
    await publishRequests([create])
    expect(await answer(create)).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    expect(await api('POST', '/api/folders', { uid: 'carol', title: 'Carol' })).to.equal(200)
    const uid = dashboardUid('svc-moved', 'logs')
    grafana().moveDashboardDirect(uid, 'carol')
    const again = createRequest('svc-moved', ['default', 'other'])
    await publishRequests([again])
    const data = await answer(again)
    expect(data['dashboardDataOrderStatus']).to.equal('SUCCESS')
    expect(data['dashboardDataOrderMessage']).to.include(uid).and.include('carol')
    expect(byUid(uid)?.folderUid).to.equal('carol')
    const remove = deleteRequest('svc-moved')
    await publishRequests([remove])
    expect((await answer(remove))['deletedDashboardUids']).to.deep.equal([dashboardUid('svc-moved', 'metrics')])
    expect(byUid(uid)?.folderUid).to.equal('carol')
  })
})
