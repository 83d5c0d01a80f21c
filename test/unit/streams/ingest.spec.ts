import { expect } from 'chai'
import sinon from 'sinon'
import { Subject, type Subscription } from 'rxjs'
import type { ResultRecord } from '../../../src/codecs/events.js'
import { DEFAULT_REQUEST_LIMITS } from '../../../src/codecs/limits.js'
import { renderedJobBytes } from '../../../src/effects/prometheus/job-size.js'
import { RequestTopics, ResultTopics } from '../../../src/codecs/topics.js'
import type { EventStore, InboxEntry, InboxOutcome } from '../../../src/state/store/event-store.js'
import { ingest$, type IngestDeps, type IngestReport } from '../../../src/streams/ingest.js'
import type { Delivery, IncomingBatch } from '../../../src/streams/kafka/kafka-source.js'
import { bytesOf, createRequestSample, deleteRequestSample } from '../../fixtures/spec-samples.js'

const DLQ = 'telemetry-dead-letter'

const delivery = (topic: string, offset: number, value: Buffer | null, key: string | null = null): Delivery => ({
  topic,
  partition: 0,
  offset: String(offset),
  key,
  value,
})

const createDelivery = (offset: number) => delivery(RequestTopics.create, offset, bytesOf(createRequestSample))
const deleteDelivery = (offset: number) => delivery(RequestTopics.delete, offset, bytesOf(deleteRequestSample))
/** Readable envelope, kind and serviceId, but an invalid payload: dead-lettered AND answered with FAILURE. */
const invalidCreate = (offset: number) =>
  delivery(RequestTopics.create, offset, bytesOf({ ...createRequestSample, id: 'bad-request-id', data: { serviceId: 'svc-bad', namespaces: 'not-a-list' } }))
/** Nothing readable: dead-lettered only. */
const malformed = (offset: number) => delivery(RequestTopics.create, offset, Buffer.from('{ not json'))

/** A batch whose `settle` resolves `settled` with the error it was settled with (undefined = committed). */
const batchOf = (deliveries: readonly Delivery[], active = true) => {
  let resolveSettled: (error: unknown) => void = () => undefined
  const settled = new Promise<unknown>((resolve) => (resolveSettled = resolve))
  const settle = sinon.spy((error?: unknown) => resolveSettled(error))
  const heartbeat = sinon.stub<[], Promise<void>>().resolves()
  const batch: IncomingBatch = { topic: RequestTopics.create, partition: 0, deliveries, heartbeat, isActive: () => active, settle }
  return { batch, settled, settle, heartbeat }
}

const notUsed = (name: string) => () => Promise.reject(new Error(`${name} is not used by ingest`))

/** Only `accept` matters to ingest; it answers `accepted` for every entry unless a test says otherwise. */
const fakeStore = () => {
  const accept = sinon
    .stub<[readonly InboxEntry[], number], Promise<readonly InboxOutcome[]>>()
    .callsFake((entries) => Promise.resolve(entries.map((e, i): InboxOutcome => ({ serviceId: e.serviceId, outcome: 'accepted', version: i + 1 }))))
  const store: EventStore = {
    accept,
    load: notUsed('load'),
    append: notUsed('append'),
    readEvents: notUsed('readEvents'),
    readSnapshotText: notUsed('readSnapshotText'),
    writeSnapshot: notUsed('writeSnapshot'),
    listServices: notUsed('listServices'),
    pendingServices: notUsed('pendingServices'),
    clearPending: notUsed('clearPending'),
    ping: () => Promise.resolve(true),
    seen: (requests) => Promise.resolve(requests.map(() => false)),
  }
  return { store, accept }
}

const NOW = new Date('2024-11-01T10:00:00.000Z')

describe('ingest$', () => {
  let batches: Subject<IncomingBatch>
  let reports: IngestReport[]
  let subscription: Subscription
  let accept: ReturnType<typeof fakeStore>['accept']
  let sendRecords: sinon.SinonStub<[readonly ResultRecord[]], Promise<readonly (Error | undefined)[] | void>>
  let delays: number[]
  let rejected: string[]
  let retries: number[]

  const start = (overrides: Partial<IngestDeps> = {}) => {
    const fake = fakeStore()
    accept = fake.accept
    sendRecords = sinon.stub<[readonly ResultRecord[]], Promise<readonly (Error | undefined)[] | void>>().resolves()
    delays = []
    rejected = []
    retries = []
    reports = []
    batches = new Subject<IncomingBatch>()
    const deps: IngestDeps = {
      store: fake.store,
      sendRecords,
      now: () => NOW,
      deadLetterTopic: DLQ,
      limits: DEFAULT_REQUEST_LIMITS,
      jobBytes: renderedJobBytes,
      maxRecordBytes: 1_000_000,
      results: { sourceUri: 'urn:telemetry-client:test', grafanaPublicUrl: 'http://grafana.test' },
      sleep: (ms) => {
        delays.push(ms)
        return Promise.resolve()
      },
      maxAttempts: 3,
      onRejected: (d) => rejected.push(d.offset),
      onRetry: (_error, attempt) => retries.push(attempt),
      ...overrides,
    }
    subscription = ingest$(batches, deps).subscribe((report) => reports.push(report))
  }
  afterEach(() => subscription.unsubscribe())

  it('records valid requests in their inboxes and settles (commits) the batch', async () => {
    start()
    const { batch, settled, settle } = batchOf([createDelivery(7), deleteDelivery(8)])
    batches.next(batch)

    expect(await settled).to.equal(undefined)
    expect(settle.callCount).to.equal(1)
    expect(accept.callCount).to.equal(1)
    const [entries, nowMs] = accept.firstCall.args
    expect(nowMs).to.equal(NOW.getTime())
    expect(entries.map((e) => [e.serviceId, e.accepted.type, e.accepted.requestId, e.accepted.origin, e.accepted.request.kind])).to.deep.equal([
      [createRequestSample.data.serviceId, 'RequestAccepted', createRequestSample.id, `${RequestTopics.create}/0@7`, 'create'],
      [deleteRequestSample.data.serviceId, 'RequestAccepted', deleteRequestSample.id, `${RequestTopics.delete}/0@8`, 'delete'],
    ])
    expect(entries[0]?.redelivered).to.include({ type: 'RequestRedelivered', requestId: createRequestSample.id })
    expect(sendRecords.called).to.equal(false)
    expect(reports).to.have.length(1)
    expect(reports[0]).to.deep.include({ topic: RequestTopics.create, partition: 0, rejected: 0 })
    expect(reports[0]?.accepted.map((a) => a.outcome)).to.deep.equal(['accepted', 'accepted'])
  })

  it('dead-letters rejects, answers FAILURE when kind and serviceId are readable, and still settles the batch', async () => {
    start()
    const { batch, settled } = batchOf([invalidCreate(1), createDelivery(2), malformed(3)])
    batches.next(batch)

    expect(await settled).to.equal(undefined)
    expect(accept.firstCall.args[0].map((e) => e.serviceId)).to.deep.equal([createRequestSample.data.serviceId])
    expect(sendRecords.callCount).to.equal(1)
    const records = sendRecords.firstCall.args[0]
    expect(records.map((r) => [r.topic, r.key])).to.deep.equal([
      [DLQ, 'svc-bad'],
      [ResultTopics.create, 'svc-bad'],
      [DLQ, ''],
    ])
    const dead = JSON.parse(records[0]?.value ?? '{}') as Record<string, unknown>
    expect(dead).to.include({ topic: RequestTopics.create, offset: '1', cloudEventId: 'bad-request-id', serviceId: 'svc-bad' })
    const failure = JSON.parse(records[1]?.value ?? '{}') as { data?: Record<string, unknown> }
    expect(failure.data).to.include({ serviceId: 'svc-bad', dashboardDataOrderStatus: 'FAILURE' })
    expect(rejected).to.deep.equal(['1', '3'])
    expect(reports[0]?.rejected).to.equal(2)
  })

  it('rejects requests over a limit at the door: dead letter + FAILURE, nothing accepted, no unbounded attribute echoed', async () => {
    start()
    const longId = delivery(RequestTopics.create, 1, bytesOf({ ...createRequestSample, id: 'i'.repeat(300) }))
    const hugeKogito = delivery(RequestTopics.create, 2, bytesOf({ ...createRequestSample, id: 'big-kogito', kogitoprocinstanceid: 'k'.repeat(600_000) }))
    const manyNamespaces = delivery(
      RequestTopics.create,
      3,
      bytesOf({ ...createRequestSample, id: 'many-ns', data: { ...createRequestSample.data, namespaces: Array.from({ length: 65 }, (_, i) => `ns-${i}`) } }),
    )
    const bigJob = delivery(
      RequestTopics.create,
      4,
      bytesOf({
        ...createRequestSample,
        id: 'big-job',
        data: { ...createRequestSample.data, namespaces: Array.from({ length: 40 }, (_, i) => `${'n'.repeat(240)}-${i}`) },
      }),
    )
    const { batch, settled } = batchOf([longId, hugeKogito, manyNamespaces, bigJob, createDelivery(5)])
    batches.next(batch)

    expect(await settled).to.equal(undefined)
    expect(accept.firstCall.args[0].map((e) => e.accepted.requestId)).to.deep.equal([createRequestSample.id])
    const records = sendRecords.firstCall.args[0]
    expect(records.map((r) => r.topic)).to.deep.equal([DLQ, ResultTopics.create, DLQ, ResultTopics.create, DLQ, ResultTopics.create, DLQ, ResultTopics.create])
    const reasons = records.filter((r) => r.topic === DLQ).map((r) => (JSON.parse(r.value) as { reason: string }).reason)
    expect(reasons[0]).to.match(/CloudEvent id too large: 300 bytes exceeds the limit of 256 bytes \(MAX_CLOUDEVENT_ID_BYTES\)/)
    expect(reasons[1]).to.match(/attribute kogitoprocinstanceid too large: 600000 bytes .*MAX_EXTENSION_ATTRIBUTE_BYTES/)
    expect(reasons[2]).to.match(/too many namespaces: 65 exceeds the limit of 64 \(MAX_NAMESPACES\)/)
    expect(reasons[3]).to.match(/scrape job too large: \d+ bytes exceeds the limit of 8192 bytes \(MAX_JOB_BYTES\)/)
    for (const r of records.filter((r) => r.topic === ResultTopics.create)) {
      expect(r.value.length).to.be.below(4096)
      expect((JSON.parse(r.value) as { data: Record<string, unknown> }).data).to.include({
        serviceId: createRequestSample.data.serviceId,
        dashboardDataOrderStatus: 'FAILURE',
      })
    }
    expect(rejected).to.deep.equal(['1', '2', '3', '4'])
  })

  it('given a dead letter that fails once, then only the unsent records are sent again and the inbox append is not repeated (no redelivery, no second answer)', async () => {
    start()
    sendRecords.onFirstCall().callsFake((records) => Promise.resolve(records.map((_, i) => (i === 0 ? new Error('not sent') : undefined))))
    sendRecords.onSecondCall().callsFake((records) => Promise.resolve(records.map(() => undefined)))
    const { batch, settled } = batchOf([invalidCreate(1), createDelivery(2)])
    batches.next(batch)

    expect(await settled).to.equal(undefined)
    expect(accept.callCount).to.equal(1)
    expect(sendRecords.firstCall.args[0].map((r) => r.topic)).to.deep.equal([DLQ, ResultTopics.create])
    expect(sendRecords.secondCall.args[0].map((r) => r.topic)).to.deep.equal([DLQ])
  })

  it('retries a batch the store could not record (backing off, heartbeating) and then settles it', async () => {
    start({ maxAttempts: 5 })
    const { batch, settled, heartbeat } = batchOf([createDelivery(1)])
    accept.onFirstCall().rejects(new Error('redis down'))
    accept.onSecondCall().rejects(new Error('redis still down'))
    batches.next(batch)

    expect(await settled).to.equal(undefined)
    expect(accept.callCount).to.equal(3)
    expect(retries).to.deep.equal([1, 2])
    expect(delays).to.deep.equal([200, 400])
    expect(heartbeat.callCount).to.equal(2)
    expect(reports).to.have.length(1)
  })

  it('settles a batch that still fails WITH the error (not committed) and keeps consuming the next batch', async () => {
    start({ maxAttempts: 3 })
    const failing = batchOf([createDelivery(1)])
    accept.rejects(new Error('redis down'))
    batches.next(failing.batch)

    const error = await failing.settled
    expect(error).to.be.instanceOf(Error)
    expect(String(error)).to.contain('redis down')
    expect(accept.callCount).to.equal(3)
    expect(delays).to.have.length(2)
    expect(reports).to.deep.equal([])
    expect(subscription.closed).to.equal(false)

    accept.resolves([{ serviceId: createRequestSample.data.serviceId, outcome: 'redelivered', version: 2 }])
    const next = batchOf([createDelivery(1)])
    batches.next(next.batch)
    expect(await next.settled).to.equal(undefined)
    expect(reports.map((r) => r.accepted.map((a) => a.outcome))).to.deep.equal([['redelivered']])
  })

  it('stops retrying at once when the batch is no longer active (partition revoked, consumer stopping)', async () => {
    start({ maxAttempts: 10 })
    const { batch, settled } = batchOf([createDelivery(1)], false)
    accept.rejects(new Error('redis down'))
    batches.next(batch)

    expect(String(await settled)).to.contain('redis down')
    expect(accept.callCount).to.equal(1)
    expect(delays).to.deep.equal([])
  })

  it('a failing dead-letter send is retried like a store failure', async () => {
    start()
    const { batch, settled } = batchOf([malformed(1)])
    sendRecords.onFirstCall().rejects(new Error('kafka down'))
    batches.next(batch)

    expect(await settled).to.equal(undefined)
    expect(sendRecords.callCount).to.equal(2)
    expect(reports[0]?.rejected).to.equal(1)
  })
})
