import { expect } from 'chai'
import { Redis } from 'ioredis'
import sinon from 'sinon'
import type { ServiceEvent } from '../../../../src/codecs/events.js'
import { CorruptEventError, createEventStore, snapshotText, type EventStore, type InboxEntry } from '../../../../src/state/store/event-store.js'
import { fold } from '../../../../src/state/evolve.js'
import { serviceKeys } from '../../../../src/state/store/redis-keys.js'
import { initialServiceState } from '../../../../src/state/service-state.js'
import { createAccepted, dashboardUpserted, deleteAccepted, jobRegistered, redelivered, requestCompleted, resultPublished } from '../../../fixtures/events.js'
import { testRedisUrl, useEventStore } from '../../../support/redis-helpers.js'

const S1 = 'svc-one'
const S2 = 'svc-two'
const S3 = 'svc-three'

const entry = (serviceId: string, requestId: string): InboxEntry => ({
  serviceId,
  accepted: createAccepted(requestId, serviceId),
  redelivered: redelivered(requestId),
})

/** CRC16-XMODEM (poly 0x1021, init 0): the checksum Redis Cluster uses for key slots. */
const crc16 = (text: string): number => {
  let crc = 0
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte << 8
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
  }
  return crc
}

/** The part of a key Redis Cluster hashes: the first non-empty `{...}`, else the whole key. */
const hashTagOf = (key: string): string => {
  const open = key.indexOf('{')
  const close = open < 0 ? -1 : key.indexOf('}', open + 1)
  return open >= 0 && close > open + 1 ? key.slice(open + 1, close) : key
}
const slotOf = (key: string): number => crc16(hashTagOf(key)) % 16384

describe('event store (real Redis)', function () {
  this.timeout(30_000)
  const ctx = useEventStore()

  const versionOf = async (serviceId: string) => Number((await ctx.redis.get(serviceKeys(ctx.prefix, serviceId).version)) ?? 0)

  describe('accept (the inbox)', () => {
    it('given a new CloudEvent id, then accepted; given the same id again, then redelivered, both in the log', async () => {
      expect(await ctx.store.accept([entry(S1, 'r1')], 1000)).to.deep.equal([{ serviceId: S1, outcome: 'accepted', version: 1 }])
      expect(await ctx.store.accept([entry(S1, 'r1')], 2000)).to.deep.equal([{ serviceId: S1, outcome: 'redelivered', version: 2 }])
      const events = await ctx.store.readEvents(S1)
      expect(events).to.deep.equal([
        { version: 1, event: createAccepted('r1', S1) },
        { version: 2, event: redelivered('r1') },
      ])
      expect((await ctx.store.load(S1)).pending.map((p) => [p.requestId, p.redeliveries])).to.deep.equal([['r1', 1]])
    })

    it('given an append that fails, then the id is not marked seen and the redelivery is accepted, not dropped as a duplicate', async () => {
      const keys = serviceKeys(ctx.prefix, S1)
      // a wrong-typed events key makes the script's XADD fail (as an OOM refusal would)
      await ctx.redis.set(keys.events, 'not a stream')
      let failure: unknown
      await ctx.store.accept([entry(S1, 'r1')], 1000).catch((error: unknown) => (failure = error))
      expect(String(failure)).to.match(/WRONGTYPE/)
      expect(await ctx.redis.hget(keys.seen, 'r1')).to.equal(null)
      expect(await ctx.redis.get(keys.version)).to.equal(null)
      await ctx.redis.del(keys.events)
      expect(await ctx.store.accept([entry(S1, 'r1')], 2000)).to.deep.equal([{ serviceId: S1, outcome: 'accepted', version: 1 }])
      expect(await ctx.store.readEvents(S1)).to.deep.equal([{ version: 1, event: createAccepted('r1', S1) }])
    })

    it('accepts many entries for several services in one pipelined call, in order, deduping inside the batch too', async () => {
      const services = [S1, S2, S3]
      const entries = Array.from({ length: 600 }, (_, i) => entry(services[i % 3]!, `r${Math.floor(i / 2)}`))
      const pipelines = sinon.spy(ctx.redis, 'pipeline')
      let outcomes: Awaited<ReturnType<EventStore['accept']>>
      try {
        outcomes = await ctx.store.accept(entries, 5000)
      } finally {
        pipelines.restore()
      }
      // one round trip for the 600 inbox scripts, one for the indexes: not one per entry
      expect(pipelines.callCount).to.equal(2)
      expect(outcomes).to.have.length(600)
      const perService = new Map<string, number>()
      outcomes.forEach((o, i) => {
        const expectedVersion = (perService.get(o.serviceId) ?? 0) + 1
        perService.set(o.serviceId, expectedVersion)
        expect(o.serviceId).to.equal(entries[i]!.serviceId)
        expect(o.version, `entry ${i}`).to.equal(expectedVersion)
      })
      // request r<k> goes to services[(2k) % 3] and services[(2k+1) % 3]: distinct services, so all accepted
      expect(outcomes.every((o) => o.outcome === 'accepted')).to.equal(true)
      const again = await ctx.store.accept(entries.slice(0, 30), 6000)
      expect(again.every((o) => o.outcome === 'redelivered')).to.equal(true)
      expect(await versionOf(S1)).to.equal(210)
      const dupes = await ctx.store.accept([entry(S2, 'dup'), entry(S3, 'dup'), entry(S2, 'dup')], 7000)
      expect(dupes.map((o) => [o.serviceId, o.outcome])).to.deep.equal([
        [S2, 'accepted'],
        [S3, 'accepted'],
        [S2, 'redelivered'],
      ])
    })

    it('marks services as having pending work and lists them with the time of their last change', async () => {
      await ctx.store.accept([entry(S1, 'r1'), entry(S2, 'r2')], 1000)
      await ctx.store.accept([entry(S2, 'r3')], 3000)
      expect(await ctx.store.pendingServices()).to.have.members([S1, S2])
      expect(await ctx.store.listServices()).to.deep.equal([
        { serviceId: S1, lastChangeMs: 1000 },
        { serviceId: S2, lastChangeMs: 3000 },
      ])
      await ctx.store.append(S1, 1, [resultPublished('r1')], undefined, 7000)
      expect((await ctx.store.listServices()).find((s) => s.serviceId === S1)).to.deep.equal({ serviceId: S1, lastChangeMs: 7000 })
    })
  })

  describe('pendingServices / clearPending', () => {
    it('clears the mark at the version of the newest request, but not when a newer request arrived meanwhile', async () => {
      await ctx.store.accept([entry(S1, 'r1'), entry(S2, 'r2')], 1000)
      await ctx.store.clearPending(S1, 1)
      expect(await ctx.store.pendingServices()).to.deep.equal([S2])

      // a drain went idle at version 1 while request r3 was accepted at version 2
      await ctx.store.accept([entry(S2, 'r3')], 2000)
      await ctx.store.clearPending(S2, 1)
      expect(await ctx.store.pendingServices()).to.deep.equal([S2])
      await ctx.store.clearPending(S2, 2)
      expect(await ctx.store.pendingServices()).to.deep.equal([])
    })

    it('a redelivery marks the service pending again (its result is owed again)', async () => {
      await ctx.store.accept([entry(S1, 'r1')], 1000)
      await ctx.store.clearPending(S1, 1)
      await ctx.store.accept([entry(S1, 'r1')], 2000)
      expect(await ctx.store.pendingServices()).to.deep.equal([S1])
    })
  })

  describe('append with expected version', () => {
    it('given the right expected version, then appended and the snapshot stored; given a stale one, then refused and nothing written', async () => {
      await ctx.store.accept([entry(S1, 'r1')], 1000)
      const events = [jobRegistered('r1', 'fp'), dashboardUpserted('r1', 'metrics', 'm', S1)]
      const next = fold(await ctx.store.load(S1), events)
      expect(await ctx.store.append(S1, 1, events, next, 2000)).to.deep.equal({ ok: true, version: 3 })
      expect(await ctx.store.readSnapshotText(S1)).to.equal(snapshotText(next))

      const before = { events: await ctx.redis.xlen(serviceKeys(ctx.prefix, S1).events), snapshot: await ctx.store.readSnapshotText(S1) }
      const stale = fold(next, [resultPublished('r1')])
      expect(await ctx.store.append(S1, 1, [resultPublished('r1')], stale, 3000)).to.deep.equal({ ok: false, actualVersion: 3 })
      expect(await ctx.redis.xlen(serviceKeys(ctx.prefix, S1).events)).to.equal(before.events)
      expect(await ctx.store.readSnapshotText(S1)).to.equal(before.snapshot)
      expect(await versionOf(S1)).to.equal(3)
    })

    it('given a service with no log, then expected version 0 appends from 1', async () => {
      expect(await ctx.store.append(S3, 0, [deleteAccepted('d1', S3)], undefined, 1)).to.deep.equal({ ok: true, version: 1 })
      expect(await ctx.store.append(S3, 0, [deleteAccepted('d2', S3)], undefined, 1)).to.deep.equal({ ok: false, actualVersion: 1 })
    })
  })

  describe('load', () => {
    it('given a snapshot at v2 and an event v3 after it, then the snapshot plus v3 (the log before v2 is not re-read)', async () => {
      await ctx.store.accept([entry(S1, 'r1')], 1000)
      await ctx.store.append(S1, 1, [jobRegistered('r1', 'fp-from-log', S1)], undefined, 1000)
      // a snapshot at v2 that differs from the log on purpose, to see it was used
      const atV2 = fold(initialServiceState(S1), [createAccepted('r1', S1), jobRegistered('r1', 'fp-from-snapshot', S1)])
      await ctx.store.writeSnapshot(atV2)
      await ctx.store.append(S1, 2, [dashboardUpserted('r1', 'logs', 'l', S1)], undefined, 1000)
      const loaded = await ctx.store.load(S1)
      expect(loaded.version).to.equal(3)
      expect(loaded.job?.fingerprint).to.equal('fp-from-snapshot')
      expect(Object.keys(loaded.dashboards)).to.deep.equal(['logs'])
    })

    it('given a damaged snapshot, then it is ignored and the state rebuilt from the log', async () => {
      const history: ServiceEvent[] = [createAccepted('r1', S1), jobRegistered('r1', 'fp', S1), requestCompleted('r1', 'SUCCESS', S1)]
      await ctx.store.append(S1, 0, history, undefined, 1000)
      const expected = fold(initialServiceState(S1), history)
      for (const damaged of [
        '{"serviceId":"svc-one","version":',
        '{"serviceId":"svc-one","version":"two"}',
        '[]',
        snapshotText({ ...expected, serviceId: S2 }),
      ]) {
        await ctx.redis.set(serviceKeys(ctx.prefix, S1).snapshot, damaged)
        expect(await ctx.store.load(S1), damaged).to.deep.equal(expected)
      }
    })

    it('given a stored event that does not decode, then CorruptEventError naming the service and version', async () => {
      await ctx.store.accept([entry(S1, 'r1')], 1000)
      await ctx.redis.xadd(serviceKeys(ctx.prefix, S1).events, '0-2', 'e', '{"type":"JobRegistered"')
      await ctx.redis.set(serviceKeys(ctx.prefix, S1).version, 2)
      const error = await ctx.store.load(S1).then(
        () => expect.fail('load should reject'),
        (e: unknown) => e,
      )
      expect(error).to.be.instanceOf(CorruptEventError)
      expect(error).to.include({ serviceId: S1, version: 2 })
      expect((error as Error).message).to.match(/^event 2 of service svc-one cannot be decoded: event is not JSON/)
    })
  })

  describe('readEvents', () => {
    it('pages through more than 1000 events, in order, also from a version in the middle', async () => {
      const total = 2500
      for (let from = 0; from < total; from += 500) {
        const batch = Array.from({ length: 500 }, (_, i) => resultPublished(`r${from + i + 1}`))
        expect(await ctx.store.append(S1, from, batch, undefined, 1)).to.deep.equal({ ok: true, version: from + 500 })
      }
      const all = await ctx.store.readEvents(S1)
      expect(all).to.have.length(total)
      expect(all.every((e, i) => e.version === i + 1 && e.event.requestId === `r${i + 1}`)).to.equal(true)
      const tail = await ctx.store.readEvents(S1, 1200)
      expect(tail).to.have.length(1300)
      expect(tail[0]?.version).to.equal(1201)
      expect(await ctx.store.readEvents(S1, total)).to.deep.equal([])
      expect(await ctx.store.readEvents('never-seen')).to.deep.equal([])
    })
  })

  describe('key layout', () => {
    it('puts all keys of one service under one hash tag, so they share one Redis Cluster slot', async () => {
      expect(crc16('123456789')).to.equal(0x31c3) // the check value of CRC16-XMODEM, also in the Cluster spec
      await ctx.store.accept([entry(S1, 'r1'), entry(S2, 'r2')], 1000)
      await ctx.store.append(S1, 1, [jobRegistered('r1', 'fp', S1)], fold(await ctx.store.load(S1), [jobRegistered('r1', 'fp', S1)]), 1000)
      await ctx.store.append(S2, 1, [jobRegistered('r2', 'fp', S2)], fold(await ctx.store.load(S2), [jobRegistered('r2', 'fp', S2)]), 1000)

      const keys = (await ctx.redis.keys(`${ctx.prefix}*`)).sort()
      const own = (id: string) => ['events', 'seen', 'snapshot', 'version'].map((k) => `${ctx.prefix}{svc:${id}}:${k}`)
      expect(keys).to.deep.equal([...own(S1), ...own(S2), `${ctx.prefix}pending`, `${ctx.prefix}services`].sort())
      // plus the lease key, which exists only while a replica works on the service
      const layout = [...own(S1), `${ctx.prefix}{svc:${S1}}:lease`].sort()
      expect(Object.values(serviceKeys(ctx.prefix, S1)).sort()).to.deep.equal(layout)
      expect(new Set(layout.map(slotOf)).size).to.equal(1)

      for (const id of [S1, S2]) {
        const slots = new Set(own(id).map(slotOf))
        expect([...slots], id).to.deep.equal([crc16(`svc:${id}`) % 16384])
        expect(own(id).map(hashTagOf)).to.deep.equal(own(id).map(() => `svc:${id}`))
      }
      expect(slotOf(own(S1)[0]!)).to.not.equal(slotOf(own(S2)[0]!))
    })
  })

  describe('two concurrent appenders', () => {
    it('racing on one service with expected versions: no event lost or interleaved, conflicts observed', async () => {
      const second = new Redis(testRedisUrl(), { maxRetriesPerRequest: 3 })
      try {
        const stores = { a: ctx.store, b: createEventStore(second, ctx.prefix) }
        const perWriter = 25
        let conflicts = 0
        const batchOf = (who: string, seq: number): ServiceEvent[] => [
          jobRegistered(`${who}-${seq}`, 'first', S1),
          jobRegistered(`${who}-${seq}`, 'second', S1),
        ]
        // both read version 0, then both append: exactly one must be refused
        const first = await Promise.all([stores.a.append(S1, 0, batchOf('a', 0), undefined, 1), stores.b.append(S1, 0, batchOf('b', 0), undefined, 1)])
        expect(first.filter((r) => r.ok)).to.have.length(1)
        const loser = first[0].ok ? 'b' : 'a'
        conflicts += 1

        const writer = async (who: 'a' | 'b', startSeq: number) => {
          const own = stores[who]
          for (let seq = startSeq; seq < perWriter; seq += 1) {
            let expected = (await own.load(S1)).version
            for (;;) {
              const result = await own.append(S1, expected, batchOf(who, seq), undefined, 1)
              if (result.ok) break
              conflicts += 1
              expected = result.actualVersion
            }
          }
        }
        await Promise.all([writer('a', loser === 'a' ? 0 : 1), writer('b', loser === 'b' ? 0 : 1)])

        const events = await ctx.store.readEvents(S1)
        expect(events.map((e) => e.version)).to.deep.equal(Array.from({ length: 4 * perWriter }, (_, i) => i + 1))
        for (let i = 0; i < events.length; i += 2) {
          const [x, y] = [events[i]!.event, events[i + 1]!.event]
          expect([x.requestId, x.type === 'ScrapeJobRegistered' && x.fingerprint], `pair at ${i + 1}`).to.deep.equal([y.requestId, 'first'])
          expect(y.type === 'ScrapeJobRegistered' && y.fingerprint).to.equal('second')
        }
        for (const who of ['a', 'b']) {
          const seqs = events.filter((e, i) => i % 2 === 0 && e.event.requestId.startsWith(`${who}-`)).map((e) => Number(e.event.requestId.slice(2)))
          expect(seqs, who).to.deep.equal(Array.from({ length: perWriter }, (_, i) => i))
        }
        expect(conflicts).to.be.greaterThan(0)
        expect(await versionOf(S1)).to.equal(4 * perWriter)
      } finally {
        await second.quit()
      }
    })
  })
})
