import { expect } from 'chai'
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import type { Redis } from 'ioredis'
import { exportLog, UnexportableLogError } from '../../../src/ops/log/export-log.js'
import { importLogs, parseImport } from '../../../src/ops/log/import-log.js'
import { inspectionJson, inspectService } from '../../../src/ops/log/inspect.js'
import { replayServices } from '../../../src/ops/log/replay.js'
import { createEventStore } from '../../../src/state/store/event-store.js'
import { indexKeys, serviceKeys } from '../../../src/state/store/redis-keys.js'
import { flushPrefix, testRedis, uniquePrefix } from '../../support/redis-helpers.js'
import { writeFixtureLogs } from '../../support/log-fixture.js'

describe('ops/export-log and ops/import-log', () => {
  let redis: Redis
  const source = uniquePrefix()
  const target = uniquePrefix()
  const services = ['svc-active', 'svc-gone', 'svc-new']
  let ndjson = ''

  before(async () => {
    redis = testRedis('')
    await writeFixtureLogs(redis, source)
    const report = await exportLog({ redis, prefix: source }, services, (chunk) => {
      ndjson += chunk
    })
    expect(report).to.deep.equal({ services: 3, events: 18, fromSnapshot: 0 })
  })
  after(async () => {
    await flushPrefix(redis, source)
    await flushPrefix(redis, target)
    redis.disconnect()
  })

  it('exports one line per event, in version order per service', () => {
    const lines = ndjson
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { serviceId: string; version: number; event: { type: string } })
    expect(lines).to.have.length(18)
    expect(lines[0]).to.deep.include({ serviceId: 'svc-active', version: 1 })
    expect(lines[0]?.event.type).to.equal('RequestAccepted')
    expect(lines.filter((l) => l.serviceId === 'svc-gone').map((l) => l.version)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
  })

  it('round trip: import into another prefix, replay finds no difference, inspect shows the same state', async () => {
    const parsed = await parseImport(ndjson.split('\n'))
    if (isLeft(parsed)) throw new Error(parsed.left.join('; '))
    const report = await importLogs({ redis, prefix: target }, parsed.right, { force: false, nowMs: Date.now() })
    expect(report.refused).to.deep.equal([])
    expect(report.imported.map((r) => [r.serviceId, r.events, r.status])).to.deep.equal([
      ['svc-active', 6, 'active'],
      ['svc-gone', 11, 'deleted'],
      ['svc-new', 1, 'new'],
    ])

    const replay = await replayServices({ redis, prefix: target }, services, { write: false })
    expect(replay.counts.identical).to.equal(3)
    const [from, to] = [createEventStore(redis, source), createEventStore(redis, target)]
    for (const id of services) {
      const [was, is] = [inspectionJson((await inspectService(from, id))!), inspectionJson((await inspectService(to, id))!)]
      expect(is.state).to.deep.equal(was.state)
      expect(is.timeline).to.deep.equal(was.timeline)
      // import stores the fold for every service, also where the source had none yet (svc-new)
      expect(is.snapshot).to.equal('identical')
    }
    expect(await to.readSnapshotText('svc-active')).to.equal(await from.readSnapshotText('svc-active'))
    // indexes and inbox dedupe are rebuilt: same services and last changes, pending work, seen request ids
    expect(await to.listServices()).to.deep.equal(await from.listServices())
    expect(await to.pendingServices()).to.deep.equal(['svc-new'])
    expect(await redis.hgetall(serviceKeys(target, 'svc-gone').seen)).to.deep.equal({ 'req-g1': '1', 'req-g2': '7' })
    expect(await redis.get(serviceKeys(target, 'svc-gone').version)).to.equal('11')
  })

  it('a re-import is refused (nothing written) unless forced', async () => {
    const parsed = await parseImport(ndjson.split('\n'))
    if (!isRight(parsed)) throw new Error('parse failed')
    await redis.set(serviceKeys(target, 'svc-active').snapshot, 'junk')
    const refused = await importLogs({ redis, prefix: target }, parsed.right, { force: false, nowMs: Date.now() })
    expect(refused).to.deep.equal({ imported: [], refused: services })
    expect(await redis.get(serviceKeys(target, 'svc-active').snapshot)).to.equal('junk')
    const forced = await importLogs({ redis, prefix: target }, parsed.right, { force: true, nowMs: Date.now() })
    expect(forced.imported.every((r) => r.replaced)).to.equal(true)
    expect((await replayServices({ redis, prefix: target }, services, { write: false })).counts.identical).to.equal(3)
    expect(await redis.zcard(indexKeys(target).services)).to.equal(3)
  })

  it('rejects a bad file with line numbers and writes nothing', async () => {
    const lines = ndjson.trimEnd().split('\n')
    const bad = [lines[0]!, 'not json', '{"serviceId":"x","version":1,"event":{"type":"Nope"}}', lines[2]!, '[]']
    const parsed = await parseImport(bad)
    if (!isLeft(parsed)) throw new Error('expected a rejection')
    expect(parsed.left).to.have.length(4)
    expect(parsed.left[0]).to.equal('line 2: not JSON')
    expect(parsed.left[1]).to.match(/^line 3: event x v1: /)
    expect(parsed.left[2]).to.equal('line 4: service svc-active: version 3 where 2 was expected')
    expect(parsed.left[3]).to.equal('line 5: expected {"serviceId","version","event"}')
  })

  it('a log trimmed by retention that still holds events its snapshot includes: exported from the snapshot, restored with the same stream and history', async () => {
    // retention keeps events its window still covers, also ones the snapshot (at v6) includes
    await redis.xtrim(serviceKeys(source, 'svc-active').events, 'MINID', '0-4')
    let text = ''
    const report = await exportLog({ redis, prefix: source }, ['svc-active'], (chunk) => {
      text += chunk
    })
    expect(report).to.deep.equal({ services: 1, events: 3, fromSnapshot: 1 })
    const lines = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines.map((l) => l['kind'] ?? l['version'])).to.deep.equal(['snapshot', 4, 5, 6])
    expect(lines[0]).to.deep.include({ version: 6, lastChangeMs: await redis.zscore(indexKeys(source).services, 'svc-active').then(Number) })

    const parsed = await parseImport(text.split('\n'))
    if (isLeft(parsed)) throw new Error(parsed.left.join('; '))
    const fresh = uniquePrefix()
    try {
      expect((await importLogs({ redis, prefix: fresh }, parsed.right, { force: false, nowMs: Date.now() })).imported).to.deep.equal([
        { serviceId: 'svc-active', events: 3, status: 'active', replaced: false, fromSnapshot: true },
      ])
      const [from, to] = [createEventStore(redis, source), createEventStore(redis, fresh)]
      expect(inspectionJson((await inspectService(to, 'svc-active'))!)).to.deep.equal(inspectionJson((await inspectService(from, 'svc-active'))!))
      expect((await inspectService(to, 'svc-active'))?.trimmedTo).to.equal(3)
      expect(await to.listServices()).to.deep.equal([
        { serviceId: 'svc-active', lastChangeMs: (await from.listServices()).find((s) => s.serviceId === 'svc-active')!.lastChangeMs },
      ])
      expect(await redis.xrange(serviceKeys(fresh, 'svc-active').events, '-', '+')).to.deep.equal(
        await redis.xrange(serviceKeys(source, 'svc-active').events, '-', '+'),
      )
    } finally {
      await flushPrefix(redis, fresh)
    }
    // without its snapshot nothing can rebuild the trimmed log: export stops, naming it
    await redis.del(serviceKeys(source, 'svc-active').snapshot)
    let error: unknown
    await exportLog({ redis, prefix: source }, ['svc-active'], () => undefined).catch((e: unknown) => (error = e))
    expect(error).to.be.instanceOf(UnexportableLogError)
    expect((error as Error).message).to.equal(
      'service svc-active: events up to v3 were trimmed and its snapshot is missing or cannot be decoded; nothing can rebuild it (run replay --check, restore it from an older export)',
    )
  })

  it('refuses a trimmed log without its base, and a base after its events', async () => {
    const event = (version: number) =>
      JSON.stringify({ serviceId: 'svc-x', version, event: { v: 1, type: 'ResultPublished', requestId: 'r', at: '2024-11-01T10:00:00.000Z', resultId: 'x' } })
    const parsed = await parseImport([event(4), event(1), JSON.stringify({ serviceId: 'svc-x', kind: 'snapshot', version: 3, snapshot: {} })])
    if (!isLeft(parsed)) throw new Error('expected a rejection')
    expect(parsed.left).to.deep.equal([
      'line 1: service svc-x: version 4 where 1 was expected',
      'line 3: service svc-x: a snapshot line must come before its events, once',
    ])
  })
})
