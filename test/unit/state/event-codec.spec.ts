import { expect } from 'chai'
import * as E from 'fp-ts/lib/Either.js'
import { EVENT_TYPES } from '../../../src/codecs/events.js'
import { decodeEvent, encodeEvent, upcast } from '../../../src/state/event-codec.js'
import { SERVICE, T0, oneOfEach } from '../../fixtures/events.js'

const leftOf = (json: string): string => {
  const decoded = decodeEvent(json)
  if (E.isRight(decoded)) return expect.fail(`expected a Left for ${json}, got ${JSON.stringify(decoded.right)}`)
  return decoded.left
}

describe('event codec', () => {
  describe('encode/decode round trip', () => {
    it('covers every event type', () => {
      const covered = new Set(oneOfEach().map((e) => e.type))
      const all = EVENT_TYPES
      expect([...covered].sort()).to.deep.equal([...all].sort())
    })

    for (const event of oneOfEach()) {
      it(`given ${event.type}${event.type === 'RequestAccepted' ? ` (${event.request.kind})` : ''}, when encoded and decoded, then the same event`, () => {
        const json = encodeEvent(event)
        expect(decodeEvent(json)).to.deep.equal(E.right(event))
        // stable bytes: encoding the decoded event gives the stored text back
        const decoded = decodeEvent(json)
        expect(E.isRight(decoded) && encodeEvent(decoded.right)).to.equal(json)
      })
    }
  })

  describe('undecodable input', () => {
    it('given text that is not JSON, then Left saying so', () => {
      expect(leftOf('{"type":')).to.match(/^event is not JSON: SyntaxError/)
    })

    it('given JSON that is not an object, then Left saying so', () => {
      expect(leftOf('[1,2]')).to.equal('event is not a JSON object')
      expect(leftOf('null')).to.equal('event is not a JSON object')
      expect(leftOf('"RequestAccepted"')).to.equal('event is not a JSON object')
    })

    it('given an event with a wrong field, then Left naming the field and the value', () => {
      const bad = { v: 1, requestId: 'r1', at: T0, type: 'ScrapeJobRemoved', jobName: SERVICE, wasPresent: 'yes' }
      const reason = leftOf(JSON.stringify(bad))
      expect(reason).to.include('wasPresent: expected boolean, got "yes"')
    })

    it('given an unknown event type, then Left naming that type', () => {
      expect(leftOf(JSON.stringify({ v: 1, requestId: 'r1', at: 'now', type: 'SomethingHappened' }))).to.equal('unknown event type "SomethingHappened"')
    })

    it('given a known type with a wrong field, then Left naming the field', () => {
      expect(leftOf(JSON.stringify({ v: 1, requestId: 'r1', at: T0, type: 'ScrapeJobRegistered', jobName: 7, fingerprint: 'f' }))).to.include(
        'jobName: expected string, got 7',
      )
    })

    it('given a schema version from the future, then Left (never guessed at)', () => {
      expect(leftOf(JSON.stringify({ v: 2, requestId: 'r1', at: T0, type: 'ResultPublished', resultId: 'x' }))).to.include('v: expected 1, got 2')
    })
  })

  describe('upcast', () => {
    it('given a v0 DashboardDeleted (no `v`, one `dashboardUid`), then a v1 DashboardsDeleted with that uid', () => {
      const v0 = { requestId: 'r1', at: T0, type: 'DashboardDeleted', dashboardUid: 'metrics-abc' }
      expect(upcast(v0)).to.deep.equal({ requestId: 'r1', at: T0, type: 'DashboardsDeleted', uids: ['metrics-abc'], v: 1 })
      expect(decodeEvent(JSON.stringify(v0))).to.deep.equal(E.right({ requestId: 'r1', at: T0, type: 'DashboardsDeleted', uids: ['metrics-abc'], v: 1 }))
    })

    it('given a v0 DashboardDeleted without a uid, then an empty sweep', () => {
      expect(upcast({ requestId: 'r1', at: T0, type: 'DashboardDeleted' })).to.deep.equal({
        requestId: 'r1',
        at: T0,
        type: 'DashboardsDeleted',
        uids: [],
        v: 1,
      })
    })

    it('given any other v0 event, then it gains `v: 1` and decodes', () => {
      const v0 = { requestId: 'r1', at: T0, type: 'ResultPublished', resultId: 'result-r1' }
      expect(decodeEvent(JSON.stringify(v0))).to.deep.equal(E.right({ ...v0, v: 1 }))
    })

    it('given a v1 event, then it is returned unchanged (same object)', () => {
      const v1 = { v: 1, requestId: 'r1', at: T0, type: 'ResultPublished', resultId: 'x' }
      expect(upcast(v1)).to.equal(v1)
    })
  })
})
