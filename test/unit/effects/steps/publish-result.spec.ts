import { expect } from 'chai'
import type { TestScheduler } from 'rxjs/testing'
import type { ResultRecord } from '../../../../src/codecs/events.js'
import { publishResult$ } from '../../../../src/effects/steps/publish-result.js'
import { createAccepted, requestCompleted, resultIdFor } from '../../../fixtures/events.js'
import { testScheduler } from '../../../support/marbles.js'
import { NOW, nextStep, stepDeps } from '../step-deps-fakes.js'

describe('publishResult$', () => {
  let scheduler: TestScheduler
  beforeEach(() => {
    scheduler = testScheduler()
  })
  const completed = requestCompleted('r1', 'SUCCESS')
  const step = nextStep([createAccepted('r1'), completed], 'publishResult')

  it('sends the recorded result message and records ResultPublished only once the broker acknowledged it', () => {
    const sent: ResultRecord[] = []
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const ack = cold('----a|', { a: undefined })
      const publish = (record: ResultRecord) => {
        sent.push(record)
        return ack
      }
      const expected = '----e|'

      expectObservable(publishResult$(step, stepDeps({ publish }))).toBe(expected, {
        e: [{ v: 1, requestId: 'r1', at: NOW, type: 'ResultPublished', resultId: resultIdFor('r1') }],
      })
      expectSubscriptions(ack.subscriptions).toBe('^----!')
    })
    expect(sent).to.deep.equal([completed.result])
  })

  it('lets a broker failure through as an error, recording nothing: the result stays owed for a later drain', () => {
    scheduler.run(({ cold, expectObservable }) => {
      // deliberately not a StepFailed: a result that could not be sent is not a failed request
      const ack = cold<void>('--#', undefined, new Error('broker unavailable'))
      const expected = '--#'

      expectObservable(publishResult$(step, stepDeps({ publish: () => ack }))).toBe(expected, undefined, new Error('broker unavailable'))
    })
  })
})
