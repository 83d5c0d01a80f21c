/**
 * The `/apis` adapter through the client (GRAFANA_API=apis) against the simulator, and against
 * small hand-made servers for what the simulator never does (a list that repeats its continue
 * token, an endless body).
 */
import { expect } from 'chai'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startGrafanaSimulator, type GrafanaSimulator } from '../../../../dev/grafana-simulator/server.js'
import { SERVICE_ID_ANNOTATION, serviceTag } from '../../../../src/effects/grafana/dashboard-uids.js'
import { createGrafanaClient, GrafanaError, type GrafanaClient } from '../../../../src/effects/grafana/grafana-client.js'
import { rejectionOf } from '../../../support/rejection.js'

const rejection = (promise: Promise<unknown>): Promise<GrafanaError> => rejectionOf(promise, GrafanaError)

const listen = async (handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> => {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

describe('Grafana client over /apis', () => {
  let sim: GrafanaSimulator
  before(async () => {
    sim = await startGrafanaSimulator()
  })
  after(async () => {
    await sim.stop()
  })
  afterEach(() => sim.faults.clear())
  const client = (extra: Partial<Parameters<typeof createGrafanaClient>[0]> = {}): GrafanaClient =>
    createGrafanaClient({ baseUrl: sim.url, auth: { token: sim.token }, api: 'apis', retry: { retries: 2, baseDelayMs: 1 }, ...extra })
  const dashboard = (uid: string, title: string) => ({ uid, title, tags: [serviceTag('svc-a')], panels: [], id: 99, version: 7 })

  it('creates, then updates with the resourceVersion it read; a 409 is answered by reading again', async () => {
    const grafana = client()
    await grafana.ensureFolder('apis-f', 'Apis F')
    const first = await grafana.upsertDashboard(dashboard('apis-1', 'Apis One'), 'apis-f', 'create', 'svc-a')
    expect(first).to.deep.include({ uid: 'apis-1', url: '/d/apis-1/apis-one', version: 1, folderUid: 'apis-f' })
    expect(first.id).to.be.a('number')
    sim.faults.add({ kind: 'dashboard.upsert', effect: { type: 'status', status: 409 }, times: 1 })
    const before = sim.requests.get('dashboard.get') ?? 0
    const second = await grafana.upsertDashboard(dashboard('apis-1', 'Apis One'), 'apis-f', 'again', 'svc-a')
    expect(second).to.deep.include({ uid: 'apis-1', version: 2 })
    expect((sim.requests.get('dashboard.get') ?? 0) - before).to.equal(2)
    const stored = sim.dashboards().find((d) => d.uid === 'apis-1')
    expect(stored?.annotations).to.include({ [SERVICE_ID_ANNOTATION]: 'svc-a', 'grafana.app/message': 'again' })
    expect(stored?.model).to.include({ title: 'Apis One' })
  })

  it('createFirst: a new name is one POST and no read; a taken one is a 409 AlreadyExists, then read and updated; a moved one is left alone', async () => {
    const grafana = client()
    await grafana.ensureFolder('apis-f', 'Apis F')
    const count = (kind: string) => sim.requests.get(kind) ?? 0
    const [gets, saves] = [count('dashboard.get'), count('dashboard.upsert')]
    const first = await grafana.upsertDashboard(dashboard('apis-new', 'Apis New'), 'apis-f', 'create', 'svc-a', { createFirst: true })
    expect(first).to.deep.include({ uid: 'apis-new', version: 1, folderUid: 'apis-f' })
    expect([count('dashboard.get') - gets, count('dashboard.upsert') - saves]).to.deep.equal([0, 1])
    const again = await grafana.upsertDashboard(dashboard('apis-new', 'Apis New'), 'apis-f', 'again', 'svc-a', { createFirst: true })
    expect(again).to.deep.include({ uid: 'apis-new', version: 2, folderUid: 'apis-f' })
    expect([count('dashboard.get') - gets, count('dashboard.upsert') - saves]).to.deep.equal([1, 3])
    await grafana.ensureFolder('apis-team', 'Apis Team')
    sim.moveDashboardDirect('apis-new', 'apis-team')
    const moved = await grafana.upsertDashboard(dashboard('apis-new', 'Apis New'), 'apis-f', 'x', 'svc-a', { createFirst: true })
    expect(moved).to.deep.include({ uid: 'apis-new', version: 3, leftInFolder: 'apis-team' }) // the move was a save
    expect(sim.dashboards().find((d) => d.uid === 'apis-new')?.annotations).to.include({ 'grafana.app/message': 'again' })
  })

  it('createFirst: refused as existing, then failing, the save says it may have landed (what is there may be an unseen save of ours); plain, it does not', async () => {
    const grafana = client()
    await grafana.ensureFolder('apis-f', 'Apis F')
    await grafana.upsertDashboard(dashboard('apis-unseen', 'Apis Unseen'), 'apis-f', 'create', 'svc-a')
    // the create-only POST is served (409 AlreadyExists), every later write answers 503
    sim.faults.add({ kind: 'dashboard.upsert', times: 1 })
    sim.faults.add({ kind: 'dashboard.upsert', effect: { type: 'status', status: 503 } })
    const afterRefusal = await rejection(grafana.upsertDashboard(dashboard('apis-unseen', 'Apis Unseen'), 'apis-f', 'x', 'svc-a', { createFirst: true }))
    expect(afterRefusal).to.include({ kind: 'retryable', status: 503, mayHaveLanded: true })
    const plain = await rejection(grafana.upsertDashboard(dashboard('apis-unseen', 'Apis Unseen'), 'apis-f', 'x', 'svc-a'))
    expect(plain).to.include({ kind: 'retryable', status: 503, mayHaveLanded: false })
  })

  it('gives a run of 409s up as retryable', async () => {
    const grafana = client()
    await grafana.ensureFolder('apis-f', 'Apis F')
    sim.faults.add({ kind: 'dashboard.upsert', effect: { type: 'status', status: 409 } })
    const error = await rejection(grafana.upsertDashboard(dashboard('apis-2', 'Apis Two'), 'apis-f', 'x', 'svc-a'))
    expect(error).to.include({ kind: 'retryable', status: 409 })
  })

  it("lists the service's own dashboards across pages, checked on this side", async () => {
    const grafana = client({ apisPageSize: 1 })
    await grafana.ensureFolder('apis-f', 'Apis F')
    await grafana.upsertDashboard(dashboard('apis-3', 'Apis Three'), 'apis-f', 'x', 'svc-b')
    await grafana.upsertDashboard(dashboard('apis-4', 'Apis Four'), 'apis-f', 'x', 'svc-b')
    const own = await grafana.listOwn('svc-b')
    expect(own.map((d) => d.uid)).to.deep.equal(['apis-3', 'apis-4'])
    expect(own[0]).to.deep.equal({ uid: 'apis-3', url: '/d/apis-3/apis-three', title: 'Apis Three', folderUid: 'apis-f' })
    expect(await grafana.listOwn('svc-none')).to.deep.equal([])
  })

  it('absent is a 404 naming the object; a 404 from a route that is gone is an error (and makes auto ask discovery again)', async () => {
    expect(await client().getDashboard('apis-none')).to.equal(undefined)
    expect(await client().deleteDashboard('apis-none')).to.equal('absent')
    const g12 = await startGrafanaSimulator({ apis: { dashboard: ['v1beta1'], folder: ['v1beta1'] } })
    try {
      const auto = createGrafanaClient({ baseUrl: g12.url, auth: { token: g12.token } })
      expect(await auto.chooseApi()).to.deep.include({ kind: 'apis', dashboardVersion: 'v1beta1' })
    } finally {
      await g12.stop()
    }
  })

  it('stops a list whose continue token repeats, and refuses a body larger than the limit', async () => {
    const { server, url } = await listen((req, res) => {
      if (req.url?.startsWith('/apis/dashboard')) {
        res.writeHead(200, { 'content-type': 'application/json' })
        return res.end(JSON.stringify({ items: [], metadata: { continue: 'same' } }))
      }
      if (req.url === '/api/health') {
        // chunked, no content-length: the limit must hold while reading
        res.writeHead(200, { 'content-type': 'application/json' })
        res.write(`{"database":"ok","padding":"${'x'.repeat(1000)}`)
        res.write('x'.repeat(1000))
        return res.end('"}')
      }
      if (req.url === '/apis') {
        res.writeHead(200, { 'content-type': 'application/json' })
        return res.end(
          JSON.stringify({
            groups: [
              { name: 'dashboard.grafana.app', versions: [{ version: 'v1' }] },
              { name: 'folder.grafana.app', versions: [{ version: 'v1' }] },
            ],
            padding: 'x'.repeat(4096),
          }),
        )
      }
      res.writeHead(404).end()
    })
    try {
      const looping = createGrafanaClient({ baseUrl: url, auth: { token: 'glsa_apis-spec-token' }, api: 'apis' })
      expect((await rejection(looping.listOwn('svc'))).message).to.include('repeated a continue token')
      const small = createGrafanaClient({ baseUrl: url, auth: { token: 'glsa_apis-spec-token' }, api: 'apis', maxBodyBytes: 1024 })
      expect(await rejection(small.chooseApi())).to.include({ kind: 'fatal' })
      expect(await small.health()).to.equal(false)
      expect(await createGrafanaClient({ baseUrl: url, auth: { token: 'glsa_apis-spec-token' }, maxBodyBytes: 4096 }).health()).to.equal(true)
    } finally {
      server.close()
    }
  })
})
