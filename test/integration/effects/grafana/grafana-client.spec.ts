import { expect } from 'chai'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startGrafanaSimulator, type GrafanaSimulator } from '../../../../dev/grafana-simulator/server.js'
import { recordFigures } from '../../reliability/figures.js'
import { createGrafanaClient, GrafanaError, type GrafanaClient, type RetryOptions } from '../../../../src/effects/grafana/grafana-client.js'
import { serviceTag } from '../../../../src/effects/grafana/dashboard-uids.js'
import { createHedger } from '../../../../src/effects/hedged-read.js'
import { sleep } from '../../../support/wait.js'

const TOKEN = 'glsa_super-secret-token-value'

const rejection = async (promise: Promise<unknown>): Promise<GrafanaError> => {
  try {
    await promise
  } catch (error) {
    expect(error).to.be.instanceOf(GrafanaError)
    return error as GrafanaError
  }
  throw new Error('expected a rejection')
}

describe('Grafana client (ky) against the simulator', () => {
  let sim: GrafanaSimulator
  let sim412: GrafanaSimulator
  let delays: number[]

  before(async () => {
    sim = await startGrafanaSimulator({ token: TOKEN, basicAuth: { user: 'admin', password: 'hunter2-pass' } })
    sim412 = await startGrafanaSimulator({ token: TOKEN, folderExistsStatus: 412 })
  })
  after(async () => {
    await sim.stop()
    await sim412.stop()
  })
  beforeEach(() => {
    delays = []
    sim.faults.clear()
  })

  const client = (target: GrafanaSimulator = sim, retry: Partial<RetryOptions> = {}): GrafanaClient =>
    createGrafanaClient({
      baseUrl: target.url,
      auth: { token: TOKEN },
      api: 'legacy',
      retry,
      random: () => 0.5,
      sleep: (ms) => {
        delays.push(ms)
        return Promise.resolve()
      },
    })
  const dashboard = (uid: string, title: string, tags: string[] = ['service:telemetry']) => ({ uid, title, tags, panels: [] })

  describe('concurrency limit', () => {
    it('keeps at most maxConcurrency calls in flight, but a health probe never waits behind them', async () => {
      const grafana = createGrafanaClient({ baseUrl: sim.url, auth: { token: sim.token }, api: 'legacy', maxConcurrency: 1 })
      await grafana.ensureFolder('limited', 'Limited folder')
      sim.faults.add({ kind: 'dashboard.upsert', latencyMs: 400, times: 2 })
      const saved: string[] = []
      const saves = ['slow-1', 'slow-2'].map((uid) =>
        grafana.upsertDashboard(dashboard(uid, uid, ['limited']), 'limited', 'm', 'svc').then(() => saved.push(uid)),
      )
      const started = Date.now()
      expect(await grafana.health()).to.equal(true)
      // an order, not a timing: the probe answered while the first 400 ms save was still in flight
      expect(saved, 'the probe did not queue behind the saves').to.deep.equal([])
      await Promise.all(saves)
      expect(Date.now() - started, 'the two saves ran one after the other').to.be.greaterThan(750)
    })
  })

  describe('ensureFolder', () => {
    for (const target of ['409', '412'] as const) {
      it(`is idempotent when a duplicate create answers ${target}`, async () => {
        const server = target === '409' ? sim : sim412
        // two processes (two clients): the second one's create answers "exists" and is confirmed
        await client(server).ensureFolder('apps', 'ETSI HypO App Metrics')
        await client(server).ensureFolder('apps', 'ETSI HypO App Metrics')
        expect(server.folders().filter((f) => f.uid === 'apps')).to.have.length(1)
        expect(server.requests.get('folder.get')).to.equal(1)
      })
    }
    it('remembers a confirmed folder: the same client asks Grafana only once, until told to forget it', async () => {
      const grafana = client()
      await grafana.ensureFolder('remembered', 'Remembered folder')
      const calls = () => (sim.requests.get('folder.create') ?? 0) + (sim.requests.get('folder.get') ?? 0)
      const before = calls()
      await grafana.ensureFolder('remembered', 'Remembered folder')
      expect(calls()).to.equal(before)
      grafana.forgetFolder('remembered')
      await grafana.ensureFolder('remembered', 'Remembered folder')
      expect(calls()).to.be.greaterThan(before)
    })
    it('settles a timed-out write: waits until it can no longer land and names its uid once', async () => {
      const server = sim
      const grafana = createGrafanaClient({
        baseUrl: server.url,
        auth: { token: server.token },
        api: 'legacy',
        retry: { retries: 1, timeoutMs: 100, baseDelayMs: 1 },
        settleMs: 300,
      })
      await grafana.ensureFolder('settle-folder', 'Settle folder')
      server.faults.add({ kind: 'dashboard.upsert', latencyMs: 250, times: 1 })
      await grafana.upsertDashboard(dashboard('settle-me', 'Settle me', ['settle']), 'settle-folder', 'm', 'svc')
      const started = Date.now()
      expect(await grafana.settle(['settle-me', 'other'])).to.deep.equal(['settle-me'])
      expect(Date.now() - started).to.be.greaterThan(100)
      expect(await grafana.settle(['settle-me'])).to.deep.equal([])
    })
    it('reports a conflict when another folder holds the title', async () => {
      const error = await rejection(client().ensureFolder('apps-2', 'ETSI HypO App Metrics'))
      expect(error.kind).to.equal('conflict')
    })
  })

  describe('dashboards', () => {
    it('upserts, returns the ref, and keeps the id on repeat', async () => {
      const grafana = client()
      const first = await grafana.upsertDashboard(dashboard('svc-1', 'Service One'), 'apps', 'create', 'svc')
      expect(first).to.deep.include({ uid: 'svc-1', url: '/d/svc-1/service-one', version: 1, folderUid: 'apps' })
      const again = await grafana.upsertDashboard(dashboard('svc-1', 'Service One'), 'apps', 'again', 'svc')
      expect(again.id).to.equal(first.id)
      expect(again.version).to.equal(2)
      const got = await grafana.getDashboard('svc-1')
      expect(got).to.deep.include({ id: first.id, uid: 'svc-1', version: 2, folderUid: 'apps' })
      expect(got?.model.tags).to.deep.equal(['service:telemetry'])
      expect(await grafana.getDashboard('missing')).to.equal(undefined)
    })
    it('createFirst: a new uid is one create-only POST and no read; an existing one is refused (412), then read and overwritten', async () => {
      const grafana = client()
      const count = (kind: string) => sim.requests.get(kind) ?? 0
      const [gets, saves] = [count('dashboard.get'), count('dashboard.upsert')]
      const first = await grafana.upsertDashboard(dashboard('first-1', 'First One'), 'apps', 'create', 'svc', { createFirst: true })
      expect(first).to.deep.include({ uid: 'first-1', version: 1, folderUid: 'apps' })
      expect([count('dashboard.get') - gets, count('dashboard.upsert') - saves]).to.deep.equal([0, 1])
      const again = await grafana.upsertDashboard(dashboard('first-1', 'First One', ['changed']), 'apps', 'again', 'svc', { createFirst: true })
      expect(again).to.deep.include({ id: first.id, uid: 'first-1', version: 2, folderUid: 'apps' })
      expect([count('dashboard.get') - gets, count('dashboard.upsert') - saves]).to.deep.equal([1, 3])
      expect((await grafana.getDashboard('first-1'))?.model.tags).to.deep.equal(['changed'])
    })
    it('createFirst: refused as existing (412), then failing, the save says it may have landed; a plain save failing the same way does not', async () => {
      const grafana = client(sim, { retries: 1 })
      await grafana.upsertDashboard(dashboard('unseen-1', 'Unseen One', ['unseen']), 'apps', 'create', 'svc')
      // the create-only POST is served (412), the overwrite answers 503 every time
      sim.faults.add({ kind: 'dashboard.upsert', times: 1 })
      sim.faults.add({ kind: 'dashboard.upsert', effect: { type: 'status', status: 503 } })
      const afterRefusal = await rejection(grafana.upsertDashboard(dashboard('unseen-1', 'Unseen One', ['unseen']), 'apps', 'x', 'svc', { createFirst: true }))
      expect(afterRefusal).to.include({ kind: 'retryable', status: 503, mayHaveLanded: true })
      const plain = await rejection(grafana.upsertDashboard(dashboard('unseen-1', 'Unseen One', ['unseen']), 'apps', 'x', 'svc'))
      expect(plain).to.include({ kind: 'retryable', status: 503, mayHaveLanded: false })
    })
    it('createFirst: a dashboard a person moved to another folder is refused as existing, then left where it is, unchanged', async () => {
      const grafana = client()
      await grafana.upsertDashboard(dashboard('moved-1', 'Moved One', ['theirs']), 'apps', 'create', 'svc')
      await grafana.ensureFolder('team', 'Team folder')
      sim.moveDashboardDirect('moved-1', 'team')
      const ref = await grafana.upsertDashboard(dashboard('moved-1', 'Moved One', ['ours']), 'apps', 'x', 'svc', { createFirst: true })
      expect(ref).to.deep.include({ uid: 'moved-1', version: 2, leftInFolder: 'team' }) // the move was a save
      expect((await grafana.getDashboard('moved-1'))?.model.tags).to.deep.equal(['theirs'])
    })
    it('createFirst: a 409 to the create-only save is read as "exists" too: read, then overwrite', async () => {
      const grafana = client()
      await grafana.upsertDashboard(dashboard('conflicted-1', 'Conflicted One'), 'apps', 'create', 'svc')
      sim.faults.add({ kind: 'dashboard.upsert', effect: { type: 'status', status: 409 }, times: 1 })
      const ref = await grafana.upsertDashboard(dashboard('conflicted-1', 'Conflicted One', ['again']), 'apps', 'x', 'svc', { createFirst: true })
      expect(ref).to.deep.include({ uid: 'conflicted-1', version: 2, folderUid: 'apps' })
      expect((await grafana.getDashboard('conflicted-1'))?.model.tags).to.deep.equal(['again'])
    })
    it('maps 400 to an invalid error (missing folder)', async () => {
      const error = await rejection(client().upsertDashboard(dashboard('lost', 'Lost'), 'no-folder', 'x', 'svc'))
      expect(error).to.include({ kind: 'invalid', status: 400, operation: 'upsert dashboard lost' })
      expect(error.message).to.contain('Folder not found')
    })
    it('before 11.3: refuses a save that Grafana redirected onto a same-titled dashboard and restores that one', async () => {
      const mysql = await startGrafanaSimulator({ token: TOKEN, flavour: 'pre-11.3-mysql' })
      try {
        const grafana = client(mysql)
        await grafana.ensureFolder('apps', 'Apps')
        const victim = await grafana.upsertDashboard(dashboard('svc-1', 'Service One', ['theirs']), 'apps', 'x', 'svc')
        const error = await rejection(grafana.upsertDashboard(dashboard('svc-1-bis', 'service one', ['ours']), 'apps', 'x', 'svc'))
        expect(error).to.include({ kind: 'conflict', operation: 'upsert dashboard svc-1-bis' })
        expect(error.message).to.contain('svc-1').and.contain('restored to its version 1')
        expect(mysql.dashboards().map((d) => d.uid)).to.deep.equal(['svc-1'])
        expect(mysql.dashboards()[0]).to.deep.include({ id: victim.id, title: 'Service One', tags: ['theirs'], version: 3 })
        // the restore failing is reported too
        mysql.faults.add({ kind: 'dashboard.restore', effect: { type: 'status', status: 403 }, times: 1 })
        const unrestored = await rejection(grafana.upsertDashboard(dashboard('svc-1-ter', 'SERVICE ONE'), 'apps', 'x', 'svc'))
        expect(unrestored.message).to.contain('failed').and.contain('restore it by hand')
      } finally {
        await mysql.stop()
      }
    })
    it('refuses to adopt a folder under its uid with another title or a parent', async () => {
      const mysql = await startGrafanaSimulator({ token: TOKEN })
      try {
        const grafana = client(mysql)
        await grafana.ensureFolder('team', 'Team')
        await grafana.ensureFolder('ours', 'Ours')
        const other = await rejection(client(mysql).ensureFolder('ours', 'Ours renamed'))
        expect(other).to.include({ kind: 'conflict' })
        expect(other.message).to.contain('a folder "Ours" at the root already has this uid')
        await fetch(`${mysql.url}/api/folders`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ uid: 'nested', title: 'Nested', parentUid: 'team' }),
        })
        expect((await rejection(client(mysql).ensureFolder('nested', 'Nested'))).message).to.contain('under parent folder team')
      } finally {
        await mysql.stop()
      }
    })
    it("lists a service's dashboards by its tag across pages", async () => {
      const grafana = createGrafanaClient({ baseUrl: sim.url, auth: { token: TOKEN }, api: 'legacy', searchPageSize: 1 })
      await grafana.upsertDashboard(dashboard('svc-2', 'Service Two', ['service:telemetry', 'service:svc-2']), 'apps', 'x', 'svc')
      const hits = await grafana.listOwn('telemetry')
      expect(hits.map((h) => h.uid)).to.have.members(['svc-1', 'svc-2'])
      expect(hits[0]).to.include({ folderUid: 'apps' })
      expect(await grafana.listOwn('svc-2')).to.deep.equal([{ uid: 'svc-2', url: '/d/svc-2/service-two', title: 'Service Two', folderUid: 'apps' }])
    })
    it('bounds a tag search: more pages than searchMaxPages is a fatal error, not an endless loop', async () => {
      const grafana = createGrafanaClient({ baseUrl: sim.url, auth: { token: TOKEN }, api: 'legacy', searchPageSize: 1, searchMaxPages: 2 })
      for (const id of ['bound-1', 'bound-2', 'bound-3'])
        await grafana.upsertDashboard(dashboard(id, `Bound ${id}`, [serviceTag('bounded')]), 'apps', 'x', 'bounded')
      const before = sim.requests.get('search') ?? 0
      const error = await grafana.listOwn('bounded').then(
        () => undefined,
        (e: unknown) => e,
      )
      recordFigures({
        scenario: 'bounded paging: a tag search over more pages than searchMaxPages (3 tagged dashboards, pages of 1, bound 2)',
        requests: 1,
        faults: {},
        inputs: 0,
        lost: 0,
        duplicateJobs: 0,
        promtool: 'n/a',
        seconds: 0,
        notes: `search calls ${(sim.requests.get('search') ?? 0) - before} (the bound), then ${error instanceof GrafanaError ? `a ${error.kind} error` : 'no error'}; the ScrapeConfig list is bounded the same way (1000 pages of 500, no repeated continue token)`,
      })
      expect(error).to.be.instanceOf(GrafanaError)
      expect(error).to.include({ kind: 'fatal' })
      expect(String((error as Error).message)).to.match(/search tag service:bounded: more than 2 pages of 1 hits/)
      const enough = createGrafanaClient({ baseUrl: sim.url, auth: { token: TOKEN }, api: 'legacy', searchPageSize: 1, searchMaxPages: 4 })
      expect((await enough.listOwn('bounded')).map((h) => h.uid)).to.have.members(['bound-1', 'bound-2', 'bound-3'])
    })
    it('deletes, then answers absent on 404', async () => {
      const grafana = client()
      await grafana.upsertDashboard(dashboard('doomed', 'Doomed'), 'apps', 'x', 'svc')
      expect(await grafana.deleteDashboard('doomed')).to.equal('deleted')
      expect(await grafana.deleteDashboard('doomed')).to.equal('absent')
    })
    it('reports health', async () => {
      expect(await client().health()).to.equal(true)
      sim.faults.add({ kind: 'health', effect: { type: 'status', status: 503 }, times: 1 })
      expect(await client().health()).to.equal(false)
    })
  })

  describe('retries', () => {
    it('retries a POST after two 503s and counts the retries', async () => {
      const grafana = client()
      const before = sim.requests.get('dashboard.upsert') ?? 0
      sim.faults.add({ kind: 'dashboard.upsert', effect: { type: 'status', status: 503 }, times: 2 })
      const ref = await grafana.upsertDashboard(dashboard('svc-1', 'Service One'), 'apps', 'retry', 'svc')
      expect(ref.uid).to.equal('svc-1')
      expect(sim.requests.get('dashboard.upsert')).to.equal(before + 3)
      expect(grafana.retries.get('dashboard.upsert')).to.equal(2)
      // full jitter with random()=0.5: half of 200·2^0, half of 200·2^1
      expect(delays).to.deep.equal([100, 200])
    })
    it('honours Retry-After (seconds), capped at maxDelayMs', async () => {
      sim.faults.add({ kind: 'search', effect: { type: 'status', status: 429, retryAfterSeconds: 1 }, times: 1 })
      await client().listOwn('telemetry')
      expect(delays).to.deep.equal([1000])
      sim.faults.add({ kind: 'search', effect: { type: 'status', status: 429, retryAfterSeconds: 60 }, times: 1 })
      await client(sim, { maxDelayMs: 3000 }).listOwn('telemetry')
      expect(delays).to.deep.equal([1000, 3000])
    })
    it('gives up with a retryable error after `retries` retries', async () => {
      const before = sim.requests.get('dashboard.get') ?? 0
      sim.faults.add({ kind: 'dashboard.get', effect: { type: 'status', status: 502 } })
      const grafana = client(sim, { retries: 3 })
      const error = await rejection(grafana.getDashboard('svc-1'))
      expect(error).to.include({ kind: 'retryable', status: 502 })
      expect(sim.requests.get('dashboard.get')).to.equal(before + 4)
      expect(grafana.retries.get('dashboard.get')).to.equal(3)
    })
    it('retries a reset connection', async () => {
      sim.faults.add({ kind: 'dashboard.delete', effect: { type: 'reset' }, times: 1 })
      expect(await client().deleteDashboard('never-there')).to.equal('absent')
      expect(delays).to.have.length(1)
    })
    it('turns a hang into a retryable timeout', async () => {
      sim.faults.add({ kind: 'dashboard.get', effect: { type: 'hang' } })
      const error = await rejection(client(sim, { retries: 1, timeoutMs: 100 }).getDashboard('svc-1'))
      expect(error.kind).to.equal('retryable')
      expect(error.message).to.contain('timed out after 100 ms')
    })
    it('a save whose every answer came too late may have landed (mayHaveLanded); one refused by a status every time did not', async () => {
      await client().ensureFolder('unanswered', 'Unanswered')
      // latency past the client's timeout: the simulator still saves it, after the client gave up
      sim.faults.add({ kind: 'dashboard.upsert', latencyMs: 150, times: 2 })
      const late = await rejection(client(sim, { retries: 1, timeoutMs: 50 }).upsertDashboard(dashboard('late-1', 'Late one'), 'unanswered', 'm', 'svc'))
      expect(late).to.include({ kind: 'retryable', mayHaveLanded: true })
      await sleep(200)
      expect(sim.dashboards().map((d) => d.uid)).to.include('late-1')
      sim.faults.clear()
      sim.faults.add({ kind: 'dashboard.upsert', effect: { type: 'status', status: 503 } })
      const refused = await rejection(client(sim, { retries: 1 }).upsertDashboard(dashboard('refused-1', 'Refused one'), 'unanswered', 'm', 'svc'))
      expect(refused).to.include({ kind: 'retryable', status: 503, mayHaveLanded: false })
      // a GET that got no answer changed nothing
      sim.faults.clear()
      sim.faults.add({ kind: 'dashboard.get', effect: { type: 'hang' } })
      const read = await rejection(client(sim, { retries: 0, timeoutMs: 50 }).getDashboard('late-1'))
      expect(read).to.include({ kind: 'retryable', mayHaveLanded: false })
      // nothing listens there: the save never left, so it cannot land
      const down = createGrafanaClient({ baseUrl: 'http://127.0.0.1:1', auth: { token: TOKEN }, api: 'legacy', retry: { retries: 0 } })
      const refusedConnection = await rejection(down.upsertDashboard(dashboard('never-sent', 'Never sent'), 'unanswered', 'm', 'svc'))
      expect(refusedConnection).to.include({ kind: 'retryable', mayHaveLanded: false })
    })
    it('never retries a 4xx', async () => {
      sim.faults.add({ kind: 'folder.create', effect: { type: 'status', status: 403 }, times: 1 })
      const error = await rejection(client().ensureFolder('x', 'X'))
      expect(error).to.include({ kind: 'unauthorized', status: 403 })
      expect(delays).to.deep.equal([])
    })
  })

  describe('credentials', () => {
    it('never puts the token or password in error messages', async () => {
      const wrong = createGrafanaClient({ baseUrl: sim.url, auth: { token: `${TOKEN}-wrong` }, api: 'legacy', retry: { retries: 0 } })
      const unauthorized = await rejection(wrong.getDashboard('svc-1'))
      expect(unauthorized).to.include({ kind: 'unauthorized', status: 401 })
      const basic = createGrafanaClient({ baseUrl: sim.url, auth: { user: 'admin', password: 'hunter2-pass' }, api: 'legacy', retry: { retries: 0 } })
      sim.faults.add({ kind: 'dashboard.get', effect: { type: 'hang' } })
      const timeout = await rejection(
        createGrafanaClient({ baseUrl: sim.url, auth: { token: TOKEN }, api: 'legacy', retry: { retries: 0, timeoutMs: 50 } }).getDashboard('svc-1'),
      )
      sim.faults.clear()
      const viaBasic = await basic.getDashboard('svc-1')
      expect(viaBasic?.uid).to.equal('svc-1')
      const down = createGrafanaClient({
        baseUrl: 'http://127.0.0.1:1',
        auth: { user: 'admin', password: 'hunter2-pass' },
        api: 'legacy',
        retry: { retries: 0 },
      })
      expect(await down.health()).to.equal(false)
      const refused = await rejection(down.getDashboard('x'))
      expect(refused.kind).to.equal('retryable')
      for (const error of [unauthorized, timeout, refused]) {
        const text = `${error.message} ${error.stack ?? ''} ${JSON.stringify(error)}`
        expect(text).not.to.contain(TOKEN)
        expect(text).not.to.contain('hunter2')
        expect(text).not.to.contain(Buffer.from('admin:hunter2-pass').toString('base64'))
      }
    })
  })

  describe('hedged GETs (one line in the transport)', () => {
    it('a GET that hangs is answered by its hedged copy; a save that is slow is never sent twice', async () => {
      // a budget the warm-up's own hedges on a loaded machine cannot use up: the 5% cap is the
      // hedger's unit spec's subject, the hung GET this one's
      const hedger = createHedger({ policy: { maxExtraRatio: 1 } })
      const hedged = createGrafanaClient({ baseUrl: sim.url, auth: { token: TOKEN }, api: 'legacy', retry: { timeoutMs: 20_000 }, hedger })
      await hedged.ensureFolder('hedge-folder', 'Hedge folder')
      await hedged.upsertDashboard(dashboard('hedge-uid', 'Hedge'), 'hedge-folder', 'test', 'hedge')
      // the latencies of dashboard.get become known
      const before = sim.requests.get('dashboard.get') ?? 0
      for (let i = 0; i < 40; i++) await hedged.getDashboard('hedge-uid')
      // a losing copy of the warm-up can reach the simulator after its race is over: let every copy
      // the hedger sent arrive before the hang is armed, or a late copy takes the hang meant below
      const seen = () => (sim.requests.get('dashboard.get') ?? 0) - before
      const sent = () => hedger.counts.get('dashboard.get')?.sent ?? 0
      for (let waited = 0; seen() < 40 + sent() && waited < 2000; waited += 50) await sleep(50)
      sim.faults.add({ kind: 'dashboard.get', effect: { type: 'hang' }, times: 1 })
      const started = performance.now()
      expect((await hedged.getDashboard('hedge-uid'))?.uid).to.equal('hedge-uid')
      expect(performance.now() - started, 'answered long before the 20 s attempt timeout').to.be.below(10_000)
      const counts = hedger.counts.get('dashboard.get')
      expect(counts?.won, `hedges won (counts ${JSON.stringify(counts)})`).to.be.at.least(1)

      sim.faults.add({ kind: 'dashboard.upsert', latencyMs: 300, times: 1 })
      await hedged.upsertDashboard(dashboard('hedge-uid', 'Hedge'), 'hedge-folder', 'test', 'hedge')
      expect(hedger.counts.get('dashboard.upsert'), 'writes do not go through the hedger').to.equal(undefined)
    })
  })
  describe('unexpected bodies', () => {
    it('turns a body that does not match the codec into a fatal error with a readable reason', async () => {
      const odd = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ id: 'not-a-number', uid: 'svc-1' }))
      })
      await new Promise<void>((resolve) => odd.listen(0, '127.0.0.1', resolve))
      try {
        const { port } = odd.address() as AddressInfo
        const grafana = createGrafanaClient({ baseUrl: `http://127.0.0.1:${port}`, auth: { token: TOKEN }, api: 'legacy' })
        const error = await rejection(grafana.upsertDashboard(dashboard('svc-1', 'Service One'), 'apps', 'x', 'svc'))
        expect(error.kind).to.equal('fatal')
        expect(error.message).to.match(/upsert dashboard svc-1: unexpected body: .*id/)
      } finally {
        odd.closeAllConnections()
        await new Promise((resolve) => odd.close(resolve))
      }
    })
  })
})
