import { expect } from 'chai'
import type { RequestAccepted } from '../../../src/codecs/events.js'
import { decide } from '../../../src/state/decide.js'
import { evolve } from '../../../src/state/evolve.js'
import { at, createAccepted, deleteAccepted, fakeDesired, jobRegistered, requestCompleted, resultPublished } from '../../fixtures/events.js'
import { given } from '../../support/given-when-then.js'

const TEN_YEARS_AHEAD = '2034-11-01T10:00:00.000Z'
const received = (event: RequestAccepted, acceptedAt: string, publishedAt: string): RequestAccepted => ({ ...event, at: acceptedAt, publishedAt })
const queue = (state: { pending: ReadonlyArray<{ requestId: string }> }) => state.pending.map((p) => p.requestId)

/** A create whose producer's clock is 10 years ahead, carried out completely. */
const futureCreateDone = [
  received(createAccepted('future'), at(10), TEN_YEARS_AHEAD),
  requestCompleted('future', 'SUCCESS', undefined, 'SUCCESS', at(11)),
  resultPublished('future', at(12)),
]

describe('state: a future record timestamp counts as the receive time', () => {
  it('given nothing, when a create published 10 years ahead is accepted at t=10, then it is queued as published at t=10', () => {
    given([])
      .when(received(createAccepted('future'), at(10), TEN_YEARS_AHEAD))
      .then((after) => {
        expect(after.pending[0]?.publishedAt).to.equal(at(10))
      })
  })

  it('given a queued create published 10 years ahead, when a delete published later (t=20) arrives, then it queues behind, not in front', () => {
    given([received(createAccepted('future'), at(10), TEN_YEARS_AHEAD)])
      .when(received(deleteAccepted('d'), at(21), at(20)))
      .then((after) => {
        expect(queue(after)).to.deep.equal(['future', 'd'])
      })
  })

  it('given a completed create published 10 years ahead, when a delete arrives, then it is carried out, not superseded', () => {
    const g = given([...futureCreateDone, received(deleteAccepted('d'), at(31), at(30))])
    expect(g.state.lastCompletedPublishedAt).to.equal(at(10))
    g.decide(fakeDesired).then((step) => {
      expect(step.type).to.equal('removeJob')
    })
  })

  it('given a snapshot stored before the cap (future publish time kept), when a delete arrives, then it is carried out, not superseded', () => {
    const stored = given(futureCreateDone).state
    const old = { ...stored, lastCompletedPublishedAt: TEN_YEARS_AHEAD }
    const withDelete = given([received(deleteAccepted('d'), at(31), at(30))]).state.pending
    const step = decide({ ...old, pending: withDelete, lastChangeAt: at(31) }, fakeDesired)
    expect(step.type).to.equal('removeJob')
  })

  it('given an old pending entry with a future publish time, when a later-published request arrives, then the stored time counts as its accept time', () => {
    const g = given([received(createAccepted('future'), at(10), at(10))])
    const old = { ...g.state, pending: g.state.pending.map((p) => ({ ...p, publishedAt: TEN_YEARS_AHEAD })) }
    const after = evolve(old, received(deleteAccepted('d'), at(21), at(20)))
    expect(queue(after)).to.deep.equal(['future', 'd'])
  })

  it('given a legitimately newer request carried out, when an older-published one arrives late, then it is still superseded', () => {
    given([
      received(createAccepted('c1'), at(10), at(9)),
      jobRegistered('c1', 'fp', undefined, at(10)),
      requestCompleted('c1', 'SUCCESS', undefined, 'SUCCESS', at(11)),
      resultPublished('c1', at(12)),
      received(deleteAccepted('d'), at(20), at(5)),
    ])
      .decide(fakeDesired)
      .then((step) => {
        expect(step.type === 'complete' && step.status).to.equal('FAILURE')
        expect(step.type === 'complete' && step.message).to.match(/^Superseded/)
      })
  })
})
