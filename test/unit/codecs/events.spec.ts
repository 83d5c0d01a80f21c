/**
 * One constructor per event: it fills `v` and `type`, and lays the keys out in the order the log
 * has always stored them (`v, requestId, at, type`, then the event's own fields). The golden
 * texts below are what the service wrote before the constructors existed, so old logs and new
 * ones replay to the same snapshots.
 */
import { expect } from 'chai'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import * as Events from '../../../src/codecs/events.js'
import { createPayload } from '../../fixtures/events.js'

const head = { requestId: 'r1', at: '2024-11-01T10:00:00.000Z' }
const HEAD = '"v":1,"requestId":"r1","at":"2024-11-01T10:00:00.000Z"'
const request = { kind: 'create' as const, payload: createPayload('svc-1') }
const result = { topic: 'sonata-service-dashboard-result', key: 'svc-1', value: '{}' }

interface Case {
  readonly codec: t.Decoder<unknown, Events.ServiceEvent>
  readonly event: Events.ServiceEvent
  readonly golden: string
}

const cases: readonly Case[] = [
  {
    codec: Events.RequestAccepted,
    event: Events.requestAccepted({ ...head, request, kogito: { kogitoprocid: 'p' }, origin: 'topic/0@1', publishedAt: '2024-11-01T09:59:59.000Z' }),
    golden: `{${HEAD},"type":"RequestAccepted","request":${JSON.stringify(request)},"kogito":{"kogitoprocid":"p"},"origin":"topic/0@1","publishedAt":"2024-11-01T09:59:59.000Z"}`,
  },
  {
    codec: Events.RequestRedelivered,
    event: Events.requestRedelivered({ ...head, origin: 'topic/1@7' }),
    golden: `{${HEAD},"type":"RequestRedelivered","origin":"topic/1@7"}`,
  },
  {
    codec: Events.ScrapeJobRegistered,
    event: Events.scrapeJobRegistered({ ...head, jobName: 'svc-1', fingerprint: 'f00d' }),
    golden: `{${HEAD},"type":"ScrapeJobRegistered","jobName":"svc-1","fingerprint":"f00d"}`,
  },
  {
    codec: Events.ScrapeJobRemoved,
    event: Events.scrapeJobRemoved({ ...head, jobName: 'svc-1', wasPresent: true }),
    golden: `{${HEAD},"type":"ScrapeJobRemoved","jobName":"svc-1","wasPresent":true}`,
  },
  {
    codec: Events.DashboardUpserted,
    event: Events.dashboardUpserted({
      ...head,
      role: 'metrics',
      uid: 'tcm-svc-1',
      id: 7,
      url: '/d/tcm-svc-1/m',
      version: 2,
      folderUid: 'etsi-hypo-app-metrics',
      fingerprint: 'aa',
    }),
    golden: `{${HEAD},"type":"DashboardUpserted","role":"metrics","uid":"tcm-svc-1","id":7,"url":"/d/tcm-svc-1/m","version":2,"folderUid":"etsi-hypo-app-metrics","fingerprint":"aa"}`,
  },
  {
    codec: Events.DashboardsDeleted,
    event: Events.dashboardsDeleted({ ...head, uids: ['tcm-svc-1', 'tcl-svc-1'] }),
    golden: `{${HEAD},"type":"DashboardsDeleted","uids":["tcm-svc-1","tcl-svc-1"]}`,
  },
  {
    codec: Events.StepFailed,
    event: Events.stepFailed({ ...head, step: 'upsertDashboard', reason: 'HTTP 400', retryable: false }),
    golden: `{${HEAD},"type":"StepFailed","step":"upsertDashboard","reason":"HTTP 400","retryable":false}`,
  },
  {
    codec: Events.RequestCompleted,
    event: Events.requestCompleted({ ...head, status: 'SUCCESS', resultId: 'res-1', result }),
    golden: `{${HEAD},"type":"RequestCompleted","status":"SUCCESS","resultId":"res-1","result":${JSON.stringify(result)}}`,
  },
  {
    codec: Events.ResultPublished,
    event: Events.resultPublished({ ...head, resultId: 'res-1' }),
    golden: `{${HEAD},"type":"ResultPublished","resultId":"res-1"}`,
  },
]

describe('codecs/events: one constructor per event', () => {
  it('covers every event type', () => {
    expect(cases.map((c) => c.event.type)).to.deep.equal([...Events.EVENT_TYPES])
  })

  for (const { codec, event, golden } of cases) {
    describe(event.type, () => {
      it('given its fields, when constructed, then it has the current schema version and its type', () => {
        expect(event).to.include({ v: Events.EVENT_SCHEMA_VERSION, type: event.type, requestId: 'r1' })
      })

      it('when encoded, then the bytes the log has always stored', () => {
        expect(JSON.stringify(event)).to.equal(golden)
      })

      it('when decoded by its codec, then the same event (round trip)', () => {
        expect(codec.decode(JSON.parse(JSON.stringify(event)))).to.deep.equal(E.right(event))
      })
    })
  }

  it('given fields in another order, then the same bytes (the constructor, not the caller, sets the order)', () => {
    const shuffled = Events.dashboardUpserted({
      fingerprint: 'aa',
      folderUid: 'f',
      version: 1,
      url: '/d/u',
      id: 1,
      uid: 'u',
      role: 'logs',
      at: head.at,
      requestId: 'r1',
    })
    const ordered = Events.dashboardUpserted({ ...head, role: 'logs', uid: 'u', id: 1, url: '/d/u', version: 1, folderUid: 'f', fingerprint: 'aa' })
    expect(JSON.stringify(shuffled)).to.equal(JSON.stringify(ordered))
  })

  it("given a value with more fields than the event has, then only the event's fields are kept", () => {
    const wider = { ...head, jobName: 'svc-1', fingerprint: 'f00d', extra: 'not stored' }
    expect(JSON.stringify(Events.scrapeJobRegistered(wider))).to.equal(`{${HEAD},"type":"ScrapeJobRegistered","jobName":"svc-1","fingerprint":"f00d"}`)
  })

  it('given no publishedAt, then RequestAccepted has no such key (not even undefined)', () => {
    const event = Events.requestAccepted({ ...head, request, kogito: {}, origin: 'o' })
    expect(Object.keys(event)).to.deep.equal(['v', 'requestId', 'at', 'type', 'request', 'kogito', 'origin'])
  })
})
