import { expect } from 'chai'
import { formatReplay, judgeSnapshot, replayFailed, replayService, replayServices, summarize } from '../../../../src/ops/log/replay.js'
import { createEventStore } from '../../../../src/state/store/event-store.js'
import { serviceKeys } from '../../../../src/state/store/redis-keys.js'
import { writeLiveLog, type LiveLog } from '../../../support/live-log.js'

describe('ops/replay', function () {
  this.timeout(120_000)

  describe('judgeSnapshot (pure)', () => {
    it('tells identical, stale, differs and missing apart', () => {
      expect(judgeSnapshot('{"v":2}', '{"v":2}', '{"v":2}', 2)).to.equal('identical')
      expect(judgeSnapshot('{"v":1}', '{"v":2}', '{"v":1}', 2)).to.equal('stale')
      expect(judgeSnapshot('{"v":1,"x":0}', '{"v":2}', '{"v":1}', 2)).to.equal('differs')
      expect(judgeSnapshot('{"v":9}', '{"v":2}', undefined, 2)).to.equal('differs')
      expect(judgeSnapshot(null, '{"v":2}', undefined, 2)).to.equal('missing')
      expect(judgeSnapshot(null, '{"v":0}', undefined, 0)).to.equal('identical')
    })
  })

  describe('on a log written by the live service', () => {
    let live: LiveLog
    const active = ['svc-r1', 'svc-r2', 'ecc4345a-2097-4c3b-a40c-a9e791cdccbb']
    const all = [...active, 'svc-r3']

    before(async () => {
      live = await writeLiveLog(active, ['svc-r3'])
    })
    after(async () => {
      await live?.stop()
    })

    it('rebuilds every snapshot byte for byte', async () => {
      const summary = await replayServices(live, all, { write: false })
      expect(summary.results.map((r) => [r.serviceId, r.verdict])).to.deep.equal(all.map((id) => [id, 'identical']))
      expect(summary.results.find((r) => r.serviceId === 'svc-r3')?.logVersion).to.be.greaterThan(6)
      expect(replayFailed(summary, false)).to.equal(false)
    })

    it('reports a tampered snapshot, --check writes nothing, the default rewrites it', async () => {
      const key = serviceKeys(live.prefix, 'svc-r1').snapshot
      const original = (await live.redis.get(key))!
      const tampered = original.replace('"status":"active"', '"status":"failed"')
      await live.redis.set(key, tampered)

      const checked = await replayServices(live, all, { write: false })
      expect(checked.counts).to.include({ identical: 3, differs: 1 })
      expect(replayFailed(checked, false)).to.equal(true)
      expect(formatReplay(checked, false)).to.match(/^differs\s+svc-r1 {2}log v\d+, stored v\d+ \(not written: --check\)/)
      expect(await live.redis.get(key)).to.equal(tampered)

      const written = await replayService(live, 'svc-r1', { write: true })
      expect(written).to.include({ verdict: 'differs', written: true })
      expect(await live.redis.get(key)).to.equal(original)
      expect((await replayService(live, 'svc-r1', { write: false })).verdict).to.equal('identical')
    })

    it('a snapshot behind the log is stale; a deleted one is missing; both are rebuilt', async () => {
      const store = createEventStore(live.redis, live.prefix)
      const [first] = await store.readEvents('svc-r2')
      if (first?.event.type !== 'RequestAccepted') throw new Error('the log starts with the create request')
      const requestId = 'op-test-second-create'
      const at = new Date().toISOString()
      await store.accept(
        [
          {
            serviceId: 'svc-r2',
            accepted: { ...first.event, requestId, at },
            redelivered: { v: 1, requestId, at, type: 'RequestRedelivered', origin: 'test' },
          },
        ],
        Date.now(),
      )
      expect((await replayService(live, 'svc-r2', { write: false })).verdict).to.equal('stale')
      await live.redis.del(serviceKeys(live.prefix, 'svc-r1').snapshot)
      const summary = await replayServices(live, ['svc-r1', 'svc-r2'], { write: true })
      expect(summary.results.map((r) => [r.verdict, r.written])).to.deep.equal([
        ['missing', true],
        ['stale', true],
      ])
      expect(replayFailed(summary, true)).to.equal(false)
      expect((await replayServices(live, ['svc-r1', 'svc-r2'], { write: false })).counts.identical).to.equal(2)
    })

    it('a damaged log is unreadable: reported, nothing written, a failure', async () => {
      const keys = serviceKeys(live.prefix, 'svc-broken')
      await live.redis.xadd(keys.events, '0-1', 'e', '{"type":"Nonsense"}')
      const progress: number[] = []
      const summary = await replayServices(live, ['svc-broken'], { write: true, onTotal: (n) => progress.push(n) })
      expect(summary.results[0]).to.include({ verdict: 'unreadable', written: false })
      expect(summary.results[0]?.note).to.match(/event 1 of service svc-broken cannot be decoded/)
      expect(await live.redis.get(keys.snapshot)).to.equal(null)
      expect(replayFailed(summary, true)).to.equal(true)
      expect(formatReplay(summarize(summary.results), true)).to.match(/1 unreadable/)
    })
  })
})
