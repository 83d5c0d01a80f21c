import { expect } from 'chai'
import { startGrafanaSimulator, type GrafanaSimulator } from '../../../dev/grafana-simulator/server.js'

interface Answer {
  status: number
  body: unknown
  headers: Headers
}

describe('Grafana simulator (HTTP contract)', () => {
  let sim: GrafanaSimulator
  let sim412: GrafanaSimulator

  before(async () => {
    sim = await startGrafanaSimulator()
    sim412 = await startGrafanaSimulator({ folderExistsStatus: 412, basicAuth: { user: 'ops', password: 's3cret' } })
  })
  after(async () => {
    await sim.stop()
    await sim412.stop()
  })
  afterEach(() => {
    sim.faults.clear()
  })

  const call = async (
    method: string,
    path: string,
    body?: unknown,
    opts: { target?: GrafanaSimulator; auth?: string | null; signal?: AbortSignal } = {},
  ): Promise<Answer> => {
    const target = opts.target ?? sim
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    const auth = opts.auth === undefined ? `Bearer ${target.token}` : opts.auth
    if (auth !== null) headers.authorization = auth
    const response = await fetch(`${target.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    })
    const text = await response.text()
    return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown), headers: response.headers }
  }
  const save = (dashboard: Record<string, unknown>, folderUid: string | undefined, overwrite: boolean) =>
    call('POST', '/api/dashboards/db', { dashboard: { id: null, ...dashboard }, folderUid, overwrite, message: 'test' })

  it('answers health without credentials', async () => {
    const res = await call('GET', '/api/health', undefined, { auth: null })
    expect(res.status).to.equal(200)
    expect(res.body).to.deep.equal({ database: 'ok', version: '11.x-sim' })
  })

  describe('auth', () => {
    it('answers 401 Unauthorized without credentials', async () => {
      const res = await call('GET', '/api/search', undefined, { auth: null })
      expect(res).to.include({ status: 401 })
      expect(res.body).to.deep.equal({ message: 'Unauthorized' })
    })
    it('answers 401 invalid API key for a wrong token', async () => {
      const res = await call('GET', '/api/search', undefined, { auth: 'Bearer nope' })
      expect(res.status).to.equal(401)
      expect(res.body).to.deep.equal({ message: 'invalid API key' })
    })
    it('accepts basic auth (default admin/admin, or the configured user)', async () => {
      const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`
      expect((await call('GET', '/api/search', undefined, { auth: basic('admin', 'admin') })).status).to.equal(200)
      expect((await call('GET', '/api/search', undefined, { target: sim412, auth: basic('ops', 's3cret') })).status).to.equal(200)
      expect((await call('GET', '/api/search', undefined, { target: sim412, auth: basic('admin', 'admin') })).status).to.equal(401)
    })
  })

  describe('folders', () => {
    it('creates a folder (200) and gets it', async () => {
      const res = await call('POST', '/api/folders', { uid: 'apps', title: 'ETSI HypO App Metrics' })
      expect(res.status).to.equal(200)
      expect(res.body).to.include({ uid: 'apps', title: 'ETSI HypO App Metrics', url: '/dashboards/f/apps/etsi-hypo-app-metrics', version: 1 })
      expect((res.body as { id: unknown }).id).to.be.a('number')
      const got = await call('GET', '/api/folders/apps')
      expect(got.status).to.equal(200)
      expect(got.body).to.include({ uid: 'apps', title: 'ETSI HypO App Metrics' })
      expect(sim.folders().map((f) => f.uid)).to.include('apps')
    })
    it('answers 409 for an existing uid by default', async () => {
      const res = await call('POST', '/api/folders', { uid: 'apps', title: 'ETSI HypO App Metrics' })
      expect(res.status).to.equal(409)
      expect(res.body).to.deep.equal({ message: 'a folder with the same name already exists' })
    })
    it('answers 412 for an existing uid when configured so', async () => {
      const first = await call('POST', '/api/folders', { uid: 'logs', title: 'Logs' }, { target: sim412 })
      expect(first.status).to.equal(200)
      const again = await call('POST', '/api/folders', { uid: 'logs', title: 'Logs' }, { target: sim412 })
      expect(again.status).to.equal(412)
      expect(again.body).to.deep.equal({ message: 'the folder has been changed by someone else', status: 'version-mismatch' })
    })
    it('answers 400 for a missing title', async () => {
      const res = await call('POST', '/api/folders', { uid: 'x' })
      expect(res.status).to.equal(400)
      expect(res.body).to.deep.equal({ message: 'folder name cannot be empty' })
    })
    it('creates a nested folder under an existing parent and names the parent in its body', async () => {
      await call('POST', '/api/folders', { uid: 'team', title: 'Team' })
      const res = await call('POST', '/api/folders', { uid: 'nested', title: 'Nested', parentUid: 'team' })
      expect(res.status).to.equal(200)
      expect(res.body).to.include({ uid: 'nested', parentUid: 'team' })
      expect((await call('GET', '/api/folders/nested')).body).to.deep.include({ parentUid: 'team' })
      expect((await call('GET', '/api/folders/team')).body).to.not.have.property('parentUid')
      expect((await call('POST', '/api/folders', { uid: 'orphan', title: 'Orphan', parentUid: 'no-such' })).status).to.equal(404)
    })
    it('answers 404 for an unknown folder', async () => {
      const res = await call('GET', '/api/folders/nope')
      expect(res.status).to.equal(404)
      expect(res.body).to.deep.equal({ message: 'folder not found', status: 'not-found' })
    })
  })

  describe('dashboards', () => {
    it('creates (200), then overwrites with a stable id and a bumped version', async () => {
      const first = await save({ uid: 'svc-1', title: 'Service One', tags: ['telemetry', 'svc-1'] }, 'apps', true)
      expect(first.status).to.equal(200)
      const body = first.body as { id: number }
      expect(first.body).to.deep.equal({
        id: body.id,
        uid: 'svc-1',
        url: '/d/svc-1/service-one',
        status: 'success',
        version: 1,
        slug: 'service-one',
        folderUid: 'apps',
      })
      const second = await save({ uid: 'svc-1', title: 'Service One', tags: ['telemetry', 'svc-1'] }, 'apps', true)
      expect(second.body).to.include({ id: body.id, uid: 'svc-1', version: 2 })
    })
    it('answers 400 for an empty title', async () => {
      const res = await save({ uid: 'x', title: '' }, 'apps', true)
      expect(res.status).to.equal(400)
      expect(res.body).to.deep.equal({ message: 'Dashboard title cannot be empty', status: 'empty-name' })
    })
    it('answers 400 for a uid longer than 40 characters', async () => {
      const res = await save({ uid: 'u'.repeat(41), title: 'Long' }, 'apps', true)
      expect(res.status).to.equal(400)
      expect(res.body).to.deep.equal({ message: 'uid too long, max 40 characters', status: 'bad-request' })
    })
    it('answers 400 for an unknown folder', async () => {
      const res = await save({ uid: 'lost', title: 'Lost' }, 'no-such-folder', true)
      expect(res.status).to.equal(400)
      expect(res.body).to.deep.equal({ message: 'Folder not found', status: 'not-found' })
    })
    it('answers 412 name-exists for an existing uid without overwrite', async () => {
      const res = await save({ uid: 'svc-1', title: 'Service One' }, 'apps', false)
      expect(res.status).to.equal(412)
      expect(res.body).to.deep.equal({ message: 'A dashboard with the same uid already exists', status: 'name-exists' })
    })
    it('answers 412 version-mismatch for a stale version without overwrite', async () => {
      const res = await save({ uid: 'svc-1', title: 'Service One', version: 1 }, 'apps', false)
      expect(res.status).to.equal(412)
      expect(res.body).to.deep.equal({ message: 'The dashboard has been changed by someone else', status: 'version-mismatch' })
    })
    it('11.3+ (the default): a second dashboard with the same title in a folder is saved under its own uid', async () => {
      const res = await save({ uid: 'svc-1-copy', title: 'service one' }, 'apps', false)
      expect(res.status).to.equal(200)
      expect(res.body).to.include({ uid: 'svc-1-copy', version: 1 })
      await call('DELETE', '/api/dashboards/uid/svc-1-copy')
    })

    describe('before 11.3 on MySQL (flavour pre-11.3-mysql)', () => {
      let mysql: GrafanaSimulator
      before(async () => {
        mysql = await startGrafanaSimulator({ flavour: 'pre-11.3-mysql' })
        await call('POST', '/api/folders', { uid: 'apps', title: 'Apps' }, { target: mysql })
        await call('POST', '/api/folders', { uid: 'mine', title: 'Mine' }, { target: mysql })
      })
      after(() => mysql.stop())
      const saveOn = (dashboard: Record<string, unknown>, folderUid: string, overwrite: boolean) =>
        call('POST', '/api/dashboards/db', { dashboard: { id: null, ...dashboard }, folderUid, overwrite, message: 'test' }, { target: mysql })

      it('answers 412 name-exists for a same title (case-insensitively) in a folder without overwrite; other folders are free', async () => {
        const first = await saveOn({ uid: 'abc', title: 'App Metrics — abc' }, 'apps', true)
        expect(first.status).to.equal(200)
        const res = await saveOn({ uid: 'abc-upper', title: 'App Metrics — ABC' }, 'apps', false)
        expect(res.status).to.equal(412)
        expect(res.body).to.deep.equal({ message: 'A dashboard with the same name in the folder already exists', status: 'name-exists' })
        expect((await saveOn({ uid: 'abc-mine', title: 'App Metrics — ABC' }, 'mine', false)).status).to.equal(200)
      })
      it('with overwrite, the save lands on the existing dashboard (its uid and id, version + 1): the takeover', async () => {
        const victim = mysql.dashboards().find((d) => d.uid === 'abc')
        const res = await saveOn({ uid: 'abc-upper', title: 'App Metrics — ABC', tags: ['x'] }, 'apps', true)
        expect(res.status).to.equal(200)
        expect(res.body).to.include({ uid: 'abc', id: victim?.id, version: 2 })
        expect(mysql.dashboards().map((d) => d.uid)).to.not.include('abc-upper')
        expect(mysql.dashboards().find((d) => d.uid === 'abc')?.title).to.equal('App Metrics — ABC')
      })
      it('restore saves an old version again as the newest (200), 404 for an unknown version or dashboard', async () => {
        const res = await call('POST', '/api/dashboards/uid/abc/restore', { version: 1 }, { target: mysql })
        expect(res.status).to.equal(200)
        expect(res.body).to.deep.include({ uid: 'abc', version: 3, status: 'success' })
        expect(mysql.dashboards().find((d) => d.uid === 'abc')).to.include({ title: 'App Metrics — abc', version: 3 })
        expect((await call('POST', '/api/dashboards/uid/abc/restore', { version: 9 }, { target: mysql })).body).to.deep.equal({
          message: 'Dashboard version not found',
        })
        expect((await call('POST', '/api/dashboards/uid/nope/restore', { version: 1 }, { target: mysql })).status).to.equal(404)
      })
    })
    it('gets a dashboard with model and meta', async () => {
      const res = await call('GET', '/api/dashboards/uid/svc-1')
      expect(res.status).to.equal(200)
      const { dashboard, meta } = res.body as { dashboard: Record<string, unknown>; meta: Record<string, unknown> }
      expect(dashboard).to.include({ uid: 'svc-1', title: 'Service One', version: 2 })
      expect(dashboard.tags).to.deep.equal(['telemetry', 'svc-1'])
      expect(meta).to.include({ url: '/d/svc-1/service-one', folderUid: 'apps', folderTitle: 'ETSI HypO App Metrics', slug: 'service-one' })
    })
    it('answers 404 for an unknown dashboard', async () => {
      const res = await call('GET', '/api/dashboards/uid/nope')
      expect(res.status).to.equal(404)
      expect(res.body).to.deep.equal({ message: 'Dashboard not found' })
    })
    it('deletes (200) and then answers 404', async () => {
      await save({ uid: 'doomed', title: 'Doomed' }, 'apps', true)
      const res = await call('DELETE', '/api/dashboards/uid/doomed')
      expect(res.status).to.equal(200)
      expect(res.body).to.include({ title: 'Doomed', message: 'Dashboard Doomed deleted' })
      const again = await call('DELETE', '/api/dashboards/uid/doomed')
      expect(again.status).to.equal(404)
      expect(again.body).to.deep.equal({ message: 'Dashboard not found' })
    })
  })

  describe('search', () => {
    before(async () => {
      await call('POST', '/api/folders', { uid: 'other', title: 'Other' })
      await save({ uid: 'svc-2', title: 'Service Two', tags: ['telemetry', 'svc-2'] }, 'apps', true)
      await save({ uid: 'svc-3', title: 'Service Three', tags: ['telemetry'] }, 'other', true)
      await save({ uid: 'root', title: 'Root Board', tags: ['telemetry'] }, undefined, true)
    })
    const uids = (body: unknown) => (body as Array<{ uid: string }>).map((h) => h.uid)

    it('finds dashboards by tag, with Grafana hit fields', async () => {
      const res = await call('GET', '/api/search?tag=svc-1&type=dash-db')
      expect(res.status).to.equal(200)
      const [hit] = res.body as Array<Record<string, unknown>>
      expect(hit).to.deep.include({
        uid: 'svc-1',
        title: 'Service One',
        uri: 'db/service-one',
        url: '/d/svc-1/service-one',
        slug: 'service-one',
        type: 'dash-db',
        tags: ['telemetry', 'svc-1'],
        isStarred: false,
        folderUid: 'apps',
        folderTitle: 'ETSI HypO App Metrics',
      })
    })
    it('ANDs repeated tags and filters by (repeated) folderUIDs', async () => {
      expect(uids((await call('GET', '/api/search?tag=telemetry&tag=svc-2')).body)).to.deep.equal(['svc-2'])
      expect(uids((await call('GET', '/api/search?tag=telemetry&folderUIDs=other')).body)).to.deep.equal(['svc-3'])
      expect(uids((await call('GET', '/api/search?folderUIDs=apps&folderUIDs=other&type=dash-db')).body)).to.have.members(['svc-1', 'svc-2', 'svc-3'])
      expect(uids((await call('GET', '/api/search?query=three')).body)).to.deep.equal(['svc-3'])
    })
    it('pages with limit and page', async () => {
      const page1 = uids((await call('GET', '/api/search?tag=telemetry&limit=2&page=1')).body)
      const page2 = uids((await call('GET', '/api/search?tag=telemetry&limit=2&page=2')).body)
      expect(page1).to.have.length(2)
      expect([...page1, ...page2]).to.have.members(['root', 'svc-1', 'svc-2', 'svc-3'])
    })
    it('no longer lists a dashboard deleted out of band', async () => {
      sim.deleteDashboardDirect('svc-2')
      expect(uids((await call('GET', '/api/search?tag=svc-2')).body)).to.deep.equal([])
    })
  })

  describe('faults', () => {
    it('answers an injected 503 and counts the request', async () => {
      const before = sim.requests.get('dashboard.upsert') ?? 0
      sim.faults.add({ kind: 'dashboard.upsert', effect: { type: 'status', status: 503 }, times: 1 })
      const res = await save({ uid: 'f', title: 'F' }, 'apps', true)
      expect(res.status).to.equal(503)
      expect(res.body).to.have.property('message')
      expect((await save({ uid: 'f', title: 'F' }, 'apps', true)).status).to.equal(200)
      expect(sim.requests.get('dashboard.upsert')).to.equal(before + 2)
    })
    it('answers 429 with Retry-After', async () => {
      sim.faults.add({ kind: 'search', effect: { type: 'status', status: 429, retryAfterSeconds: 3 }, times: 1 })
      const res = await call('GET', '/api/search')
      expect(res.status).to.equal(429)
      expect(res.headers.get('retry-after')).to.equal('3')
    })
    it('hangs until the client gives up', async () => {
      sim.faults.add({ kind: 'dashboard.get', effect: { type: 'hang' }, times: 1 })
      let error: unknown
      try {
        await call('GET', '/api/dashboards/uid/svc-1', undefined, { signal: AbortSignal.timeout(150) })
      } catch (e) {
        error = e
      }
      expect(error).to.be.instanceOf(Error)
      expect((error as Error).name).to.equal('TimeoutError')
    })
    it('resets the connection', async () => {
      sim.faults.add({ kind: 'health', effect: { type: 'reset' }, times: 1 })
      let error: unknown
      try {
        await call('GET', '/api/health')
      } catch (e) {
        error = e
      }
      expect(error).to.be.instanceOf(TypeError)
    })
    it('adds latency', async () => {
      sim.faults.add({ kind: 'health', latencyMs: 120, times: 1 })
      const started = Date.now()
      expect((await call('GET', '/api/health')).status).to.equal(200)
      expect(Date.now() - started).to.be.at.least(110)
    })
  })
})
