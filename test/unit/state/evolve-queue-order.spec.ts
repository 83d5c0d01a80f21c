import { expect } from 'chai'
import type { RequestAccepted } from '../../../src/codecs/events.js'
import { at, createAccepted, deleteAccepted, jobRegistered, requestCompleted, resultPublished } from '../../fixtures/events.js'
import { given } from '../../support/given-when-then.js'

/** published `seconds` into the hour before the fixtures' accept time T0: a sane clock publishes before we receive */
const publishTime = (seconds: number): string => at(seconds - 3600)
const published = (event: RequestAccepted, seconds: number): RequestAccepted => ({ ...event, publishedAt: publishTime(seconds) })
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

describe('decide: a request that arrives after a newer one of its service was carried out', () => {
  const desired = { job: () => 'fp-job', dashboard: () => 'fp-dash' }

  it('given a delete published at t=5 already completed, when a create published at t=1 arrives, then it completes FAILURE as superseded', () => {
    const g = given([published(deleteAccepted('d'), 5), requestCompleted('d', 'SUCCESS'), resultPublished('d'), published(createAccepted('late'), 1)])
    expect(g.state.lastCompletedPublishedAt).to.equal(publishTime(5))
    g.decide(desired).then((step) => {
      expect(step).to.include({ type: 'complete', status: 'FAILURE' })
      expect(step.type === 'complete' && step.message).to.match(/^Superseded: .* was not applied$/)
    })
  })

  it('given a completed request published at t=1, when a later one (t=2) arrives, then it is carried out normally', () => {
    given([published(createAccepted('c1'), 1), requestCompleted('c1', 'SUCCESS'), resultPublished('c1'), published(deleteAccepted('d'), 2)])
      .decide(desired)
      .then((step) => {
        expect(step.type).to.equal('removeJob')
      })
  })
})
