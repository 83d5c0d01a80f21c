import { expect } from 'chai'
import type { RequestAccepted } from '../../src/codecs/events.js'
import { at, createAccepted, deleteAccepted, jobRegistered } from '../fixtures/events.js'
import { given } from '../support/given-when-then.js'

const published = (event: RequestAccepted, seconds: number): RequestAccepted => ({ ...event, publishedAt: at(seconds) })
const queue = (requestIds: { pending: ReadonlyArray<{ requestId: string }> }) => requestIds.pending.map((p) => p.requestId)

describe('state/evolve: the pending queue follows the publish time', () => {
  it('given a create published at t=2 not started, when a delete published at t=1 is recorded, then the delete goes first', () => {
    given([published(createAccepted('c'), 2)])
      .when(published(deleteAccepted('d'), 1))
      .then((after) => {
        expect(queue(after)).to.deep.equal(['d', 'c'])
      })
  })

  it('given a head that already made progress, when an earlier request is recorded, then it queues right behind the head', () => {
    given([published(createAccepted('c1'), 5), jobRegistered('c1', 'fp'), published(createAccepted('c2'), 6)])
      .when(published(deleteAccepted('d'), 1))
      .then((after) => {
        expect(queue(after)).to.deep.equal(['c1', 'd', 'c2'])
      })
  })

  it('given requests in publish order, when a later one is recorded, then it is appended', () => {
    given([published(createAccepted('a'), 1), published(deleteAccepted('b'), 2)])
      .when(published(createAccepted('c'), 3))
      .then((after) => {
        expect(queue(after)).to.deep.equal(['a', 'b', 'c'])
      })
  })

  it('given equal publish times, then arrival order decides (stable)', () => {
    given([published(createAccepted('a'), 1)])
      .when(published(deleteAccepted('b'), 1))
      .then((after) => {
        expect(queue(after)).to.deep.equal(['a', 'b'])
      })
  })

  it('given a request without a publish time (older log), then it is appended as before', () => {
    given([published(createAccepted('a'), 5)])
      .when(deleteAccepted('b'))
      .then((after) => {
        expect(queue(after)).to.deep.equal(['a', 'b'])
      })
  })
})
