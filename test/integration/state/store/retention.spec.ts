import { expect } from 'chai'
import { Redis } from 'ioredis'
import type { ServiceEvent } from '../../../../src/codecs/events.js'
import { decide } from '../../../../src/state/decide.js'
import { evolve } from '../../../../src/state/evolve.js'
import { replayService } from '../../../../src/ops/log/replay.js'
import { snapshotText } from '../../../../src/state/store/event-store.js'
import { serviceKeys } from '../../../../src/state/store/redis-keys.js'
import { createRetention, type RetentionPolicy } from '../../../../src/state/store/retention.js'
import { T0, createAccepted, deleteAccepted, fakeDesired, outcomeOf, redelivered } from '../../../fixtures/events.js'
import { useEventStore } from '../../../support/redis-helpers.js'
import { recordFigures } from '../../reliability/figures.js'

const DAY = 86_400_000
const POLICY: RetentionPolicy = { eventRetentionMs: 30 * DAY, inboxRetentionMs: 14 * DAY, deletedGraceMs: 7 * DAY, batch: 2 }
const T0_MS = Date.parse(T0)

describe('retention (real Redis)', function () {
  this.timeout(30_000)
  const ctx = useEventStore()

  /** Accept one request at T0 and carry it out to the end (result published), as the drain would. */
  const carryOut = async (serviceId: string, accepted: ReturnType<typeof createAccepted>): Promise<void> => {
    await ctx.store.accept([{ serviceId, accepted, redelivered: redelivered(accepted.requestId) }], T0_MS)
    let state = await ctx.store.load(serviceId)
    for (let step = decide(state, fakeDesired); step.type !== 'idle'; step = decide(state, fakeDesired)) {
      const events: readonly ServiceEvent[] = outcomeOf(step, state)
      const next = events.reduce(evolve, state)
      expect((await ctx.store.append(serviceId, state.version, events, next, T0_MS)).ok).to.equal(true)
      state = next
    }
  }
  const retention = () => createRetention(ctx.redis, ctx.prefix, POLICY)

  it('trims events older than the retention that the snapshot includes, in small steps; load() gives the same state; the inbox id goes with its event', async () => {
    await carryOut('svc', createAccepted('c1', 'svc'))
    const before = await ctx.store.load('svc')
    const versionBefore = before.version
    const outcome = await retention().trimService('svc', T0_MS + 31 * DAY)
    expect(outcome).to.deep.equal({ serviceId: 'svc', trimmed: versionBefore, deleted: false })
    expect(await ctx.redis.xlen(serviceKeys(ctx.prefix, 'svc').events)).to.equal(0)
    expect(await ctx.redis.hexists(serviceKeys(ctx.prefix, 'svc').seen, 'c1')).to.equal(0)
    expect(await ctx.store.load('svc')).to.deep.equal(before)
    // replay cannot fold a trimmed log from the start: it says so and never rewrites the snapshot
    const replayed = await replayService({ redis: ctx.redis, prefix: ctx.prefix }, 'svc', { write: true })
    expect(replayed).to.include({ verdict: 'trimmed', written: false, logVersion: versionBefore })
    expect(await ctx.store.readSnapshotText('svc')).to.equal(snapshotText(before))

    // the log goes on at the next version
    await ctx.store.accept([{ serviceId: 'svc', accepted: deleteAccepted('d1', 'svc'), redelivered: redelivered('d1') }], T0_MS + 31 * DAY)
    expect((await ctx.store.readEvents('svc')).map((e) => e.version)).to.deep.equal([versionBefore + 1])
    expect((await ctx.store.load('svc')).pending.map((p) => p.requestId)).to.deep.equal(['d1'])
  })

  it('keeps events younger than the retention, and never trims an event the snapshot does not include yet', async () => {
    await carryOut('svc', createAccepted('c1', 'svc'))
    const version = (await ctx.store.load('svc')).version
    expect(await retention().trimService('svc', T0_MS + 29 * DAY)).to.include({ trimmed: 0 })
    // accepted but not worked on: the snapshot is behind this event, so it must stay however old it is
    await ctx.store.accept([{ serviceId: 'svc', accepted: deleteAccepted('d1', 'svc'), redelivered: redelivered('d1') }], T0_MS)
    expect(await retention().trimService('svc', T0_MS + 365 * DAY)).to.include({ trimmed: version })
    expect((await ctx.store.readEvents('svc')).map((e) => e.event.requestId)).to.deep.equal(['d1'])
    expect(await ctx.redis.hexists(serviceKeys(ctx.prefix, 'svc').seen, 'd1')).to.equal(1)
  })

  it("a deleted service's keys are deleted after the grace period (never before the inbox retention), and it leaves the index", async () => {
    await carryOut('gone', createAccepted('c1', 'gone'))
    await carryOut('gone', deleteAccepted('d1', 'gone'))
    await carryOut('alive', createAccepted('c2', 'alive'))
    expect((await ctx.store.load('gone')).status).to.equal('deleted')
    // 10 days: past the 7-day grace but inside the 14-day inbox retention: kept
    expect(await retention().trimService('gone', T0_MS + 10 * DAY)).to.include({ deleted: false })
    const outcomes = await retention().pass(T0_MS + 15 * DAY)
    expect(outcomes.map((o) => [o.serviceId, o.deleted])).to.have.deep.members([
      ['gone', true],
      ['alive', false],
    ])
    const keys = serviceKeys(ctx.prefix, 'gone')
    expect(await ctx.redis.exists(keys.events, keys.version, keys.seen, keys.snapshot)).to.equal(0)
    expect((await ctx.store.listServices()).map((s) => s.serviceId)).to.deep.equal(['alive'])
    expect((await ctx.store.load('alive')).status).to.equal('active')
  })

  it('never removes the pending mark of a service re-created in the same moment as its keys go', async () => {
    await carryOut('again', createAccepted('c1', 'again'))
    await carryOut('again', deleteAccepted('d1', 'again'))
    const recreate = createAccepted('c9', 'again')
    let recreated = false
    // a create accepted the moment retention has found the service deletable and starts acting on it
    const racing = new Proxy(ctx.redis, {
      get(target, property, receiver) {
        if (property !== 'eval') return Reflect.get(target, property, receiver) as unknown
        return async (...args: Parameters<Redis['eval']>) => {
          const script = String(args[0])
          if (!recreated && !script.includes("redis.call('GET', KEYS[4])")) {
            recreated = true
            await ctx.store.accept([{ serviceId: 'again', accepted: recreate, redelivered: redelivered('c9') }], T0_MS + 15 * DAY)
          }
          return target.eval(...args)
        }
      },
    })
    const outcome = await createRetention(racing, ctx.prefix, POLICY).trimService('again', T0_MS + 15 * DAY)
    const pending = await ctx.store.pendingServices()
    recordFigures({
      scenario: 'retention: a deleted service re-created the moment the retention pass acts on its keys (real Redis, staged interleaving)',
      requests: 3,
      faults: { 'create accepted mid-pass': recreated ? 1 : 0 },
      inputs: 0,
      lost: pending.includes('again') ? 0 : 1,
      duplicateJobs: 0,
      promtool: 'n/a',
      seconds: 0,
      notes: `keys deleted: ${String(outcome.deleted)}; pending mark kept: ${String(pending.includes('again'))} (was removed: the re-created stream restarted at version 1 below the forgotten version)`,
    })
    expect(recreated, 'the race was staged').to.equal(true)
    expect(await ctx.store.pendingServices(), 'the re-created service still has work pending').to.include('again')
    const state = await ctx.store.load('again')
    expect(state.pending.map((p) => p.requestId)).to.deep.equal(['c9'])
  })
})
