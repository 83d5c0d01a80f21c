import { expect } from 'chai'
import type { TestScheduler } from 'rxjs/testing'
import { removeJob$ } from '../../../../src/effects/steps/remove-job.js'
import type { JobEdit } from '../../../../src/effects/prometheus/owned-list-edits.js'
import { SERVICE, deleteAccepted } from '../../../fixtures/events.js'
import { testScheduler } from '../../../support/marbles.js'
import { NOW, nextStep, refused, secretWriterAnswering, written, stepDeps } from '../step-deps-fakes.js'

describe('removeJob$', () => {
  let scheduler: TestScheduler
  beforeEach(() => {
    scheduler = testScheduler()
  })
  const step = nextStep([deleteAccepted('r2')], 'removeJob')

  it('removes the job named after the service and records ScrapeJobRemoved with whether it was there', () => {
    let submitted: readonly JobEdit[] = []
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const write = cold('---o|', { o: written(true) })
      const fake = secretWriterAnswering(write)
      submitted = fake.submitted
      const expected = '  ---e|'

      expectObservable(removeJob$(step, SERVICE, stepDeps({ scrapeTargets: fake.writer }))).toBe(expected, {
        e: [{ v: 1, requestId: 'r2', at: NOW, type: 'ScrapeJobRemoved', jobName: SERVICE, wasPresent: true }],
      })
      expectSubscriptions(write.subscriptions).toBe('^---!')
    })
    expect(submitted).to.deep.equal([{ op: 'remove', jobName: SERVICE }])
  })

  it('records a failed write as StepFailed, with its reason and retryability, and completes', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const write = cold('---o|', { o: refused('Kubernetes answered 503', true) })
      const { writer } = secretWriterAnswering(write)
      const expected = '  ---e|'

      expectObservable(removeJob$(step, SERVICE, stepDeps({ scrapeTargets: writer }))).toBe(expected, {
        e: [{ v: 1, requestId: 'r2', at: NOW, type: 'StepFailed', step: 'removeJob', reason: 'Kubernetes answered 503', retryable: true }],
      })
    })
  })
})
