import { expect } from 'chai'
import { firstValueFrom, of } from 'rxjs'
import { RequestTopics } from '../../../src/codecs/topics.js'
import type { EventStore, InboxEntry, InboxOutcome } from '../../../src/state/store/event-store.js'
import { ingest$ } from '../../../src/streams/ingest.js'
import type { Delivery, IncomingBatch } from '../../../src/streams/kafka/kafka-source.js'
import { bytesOf, createRequestSample } from '../../fixtures/spec-samples.js'
import { DEFAULT_REQUEST_LIMITS } from '../../../src/codecs/limits.js'

const NOW = new Date('2024-11-01T10:00:00.000Z')
const TEN_YEARS_AHEAD = Date.parse('2034-11-01T10:00:00.000Z')

/** Records what ingest hands the store; every other store method is out of scope here. */
const recordingStore = (recorded: InboxEntry[]): EventStore => {
  const unused = () => Promise.reject(new Error('not used by ingest'))
  return {
    accept: (entries) => {
      recorded.push(...entries)
      return Promise.resolve(entries.map((e, i): InboxOutcome => ({ serviceId: e.serviceId, outcome: 'accepted', version: i + 1 })))
    },
    load: unused,
    append: unused,
    readEvents: unused,
    readSnapshotText: unused,
    writeSnapshot: unused,
    listServices: unused,
    pendingServices: unused,
    clearPending: unused,
    ping: () => Promise.resolve(true),
    seen: (requests) => Promise.resolve(requests.map(() => false)),
  }
}

const publishedAtOf = async (timestamp: string | undefined): Promise<string | undefined> => {
  const recorded: InboxEntry[] = []
  const delivery: Delivery = {
    topic: RequestTopics.create,
    partition: 0,
    offset: '1',
    key: null,
    value: bytesOf(createRequestSample),
    ...(timestamp === undefined ? {} : { timestamp }),
  }
  const batch: IncomingBatch = {
    topic: RequestTopics.create,
    partition: 0,
    deliveries: [delivery],
    heartbeat: () => Promise.resolve(),
    isActive: () => true,
    settle: () => undefined,
  }
  await firstValueFrom(
    ingest$(of(batch), {
      store: recordingStore(recorded),
      sendRecords: () => Promise.resolve(),
      now: () => NOW,
      deadLetterTopic: 'telemetry-dead-letter',
      limits: DEFAULT_REQUEST_LIMITS,
      jobBytes: () => 0,
      maxRecordBytes: 1_000_000,
      results: { sourceUri: 'urn:telemetry-client:test', grafanaPublicUrl: 'http://grafana.test' },
      sleep: () => Promise.resolve(),
      maxAttempts: 1,
    }),
  )
  return recorded[0]?.accepted.publishedAt
}

describe('ingest$: the record timestamp', () => {
  it('keeps a timestamp before the receive time as the publish time', async () => {
    expect(await publishedAtOf(String(NOW.getTime() - 5000))).to.equal('2024-11-01T09:59:55.000Z')
  })

  it('counts a timestamp later than the receive time (a producer clock 10 years ahead) as the receive time', async () => {
    expect(await publishedAtOf(String(TEN_YEARS_AHEAD))).to.equal(NOW.toISOString())
  })

  it('records no publish time when the record has none', async () => {
    expect(await publishedAtOf(undefined)).to.equal(undefined)
  })
})
