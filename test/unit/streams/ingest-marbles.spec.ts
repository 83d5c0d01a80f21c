import { DEFAULT_REQUEST_LIMITS } from '../../../src/codecs/limits.js'
import { expect } from 'chai'
import { map, type Observable } from 'rxjs'
import type { TestScheduler } from 'rxjs/testing'
import { RequestTopics } from '../../../src/codecs/topics.js'
import type { InboxEntry, InboxOutcome } from '../../../src/state/store/event-store.js'
import { ingest$, type IngestDeps } from '../../../src/streams/ingest.js'
import type { IncomingBatch } from '../../../src/streams/kafka/kafka-source.js'
import { bytesOf, createRequestSample } from '../../fixtures/spec-samples.js'
import { testScheduler, timeline, type Timeline } from '../../support/marbles.js'

const SERVICE = createRequestSample.data.serviceId

/** A batch of one create request on `partition`; its settle is recorded as `<name>:ok` or `<name>:error`. */
const batchOf = (name: string, partition: number, settles: Timeline<string>): IncomingBatch => ({
  topic: RequestTopics.create,
  partition,
  deliveries: [{ topic: RequestTopics.create, partition, offset: '0', key: null, value: bytesOf({ ...createRequestSample, id: `request-${name}` }) }],
  heartbeat: () => Promise.resolve(),
  isActive: () => true,
  settle: (error?: unknown) => settles.record(`${name}:${error === undefined ? 'ok' : 'error'}`),
})

const accepted = (version: number): readonly InboxOutcome[] => [{ serviceId: SERVICE, outcome: 'accepted', version }]

/** The inbox answers each accept with the next cold fake, in call order. */
const depsWith = (inbox: ReadonlyArray<Observable<readonly InboxOutcome[]>>): IngestDeps => {
  let calls = 0
  return {
    store: { accept: (_entries: readonly InboxEntry[]) => inbox[calls++] ?? [], seen: (requests) => [requests.map(() => false)] },
    sendRecords: () => [],
    now: () => new Date('2024-11-01T10:00:00.000Z'),
    deadLetterTopic: 'telemetry-dead-letter',
    limits: DEFAULT_REQUEST_LIMITS,
    jobBytes: () => 0,
    maxRecordBytes: 1_000_000,
    results: { sourceUri: '/telemetry-client', grafanaPublicUrl: 'https://grafana.example' },
    sleep: () => [],
    maxAttempts: 1,
  }
}

/** A report as `<partition>:<versions accepted>`, so diagrams stay short. */
const short = map((r: { partition: number; accepted: readonly InboxOutcome[] }) => `${r.partition}:${r.accepted.map((a) => a.version).join(',')}`)

describe('ingest$ (marbles)', () => {
  let scheduler: TestScheduler
  let settles: Timeline<string>
  beforeEach(() => {
    scheduler = testScheduler()
    settles = timeline<string>(scheduler)
  })

  it('records a batch in the inbox and settles (commits) it only once the inbox write completed', () => {
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const batches = hot('-a------', { a: batchOf('a', 0, settles) })
      const write = cold('  --o|', { o: accepted(1) })
      const expected = '   ----r---'

      expectObservable(ingest$(batches, depsWith([write])).pipe(short)).toBe(expected, { r: '0:1' })
      expectSubscriptions(write.subscriptions).toBe('-^--!')
    })
    expect(settles.entries).to.deep.equal([[4, 'a:ok']])
  })

  it('records batches of different partitions at the same time', () => {
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const batches = hot('-ab------', { a: batchOf('a', 0, settles), b: batchOf('b', 1, settles) })
      const first = cold('  ---o|', { o: accepted(1) })
      const second = cold('  ---o|', { o: accepted(2) })
      const expected = '   -----xy--'

      expectObservable(ingest$(batches, depsWith([first, second])).pipe(short)).toBe(expected, { x: '0:1', y: '1:2' })
      // b's write does not wait for a's
      expectSubscriptions(second.subscriptions).toBe('--^---!')
    })
    expect(settles.entries).to.deep.equal([
      [5, 'a:ok'],
      [6, 'b:ok'],
    ])
  })

  it('settles a batch the inbox could not record WITH the error (not committed), and records the next batch', () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const batches = hot('-a---b----', { a: batchOf('a', 0, settles), b: batchOf('b', 0, settles) })
      const down = cold<readonly InboxOutcome[]>('  -#', undefined, new Error('redis down'))
      const back = cold('       -o|', { o: accepted(1) })
      const expected = '   -------r--'

      expectObservable(ingest$(batches, depsWith([down, back])).pipe(short)).toBe(expected, { r: '0:1' })
    })
    expect(settles.entries).to.deep.equal([
      [2, 'a:error'],
      [7, 'b:ok'],
    ])
  })
})
