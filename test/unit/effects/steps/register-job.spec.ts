import { expect } from 'chai'
import type { TestScheduler } from 'rxjs/testing'
import { registerJob$ } from '../../../../src/effects/steps/register-job.js'
import type { JobEdit } from '../../../../src/effects/prometheus/owned-list-edits.js'
import { SERVICE, createAccepted } from '../../../fixtures/events.js'
import { testScheduler } from '../../../support/marbles.js'
import { NOW, nextStep, refused, secretWriterAnswering, written, stepDeps } from '../step-deps-fakes.js'

describe('registerJob$', () => {
  let scheduler: TestScheduler
  beforeEach(() => {
    scheduler = testScheduler()
  })
  const step = nextStep([createAccepted('r1')], 'registerJob')

  it('upserts the job named after the service and records ScrapeJobRegistered when the write succeeds', () => {
    let submitted: readonly JobEdit[] = []
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const write = cold('--o|', { o: written(false) })
      const fake = secretWriterAnswering(write)
      submitted = fake.submitted
      const expected = '  --e|'

      expectObservable(registerJob$(step, stepDeps({ scrapeTargets: fake.writer }))).toBe(expected, {
        e: [{ v: 1, requestId: 'r1', at: NOW, type: 'ScrapeJobRegistered', jobName: SERVICE, fingerprint: step.fingerprint }],
      })
      expectSubscriptions(write.subscriptions).toBe('^--!')
    })
    expect(submitted.map((edit) => (edit.op === 'upsert' ? edit.job.job_name : edit.op))).to.deep.equal([SERVICE])
  })

  it('records a failed write as StepFailed, with its reason and retryability, and completes', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const write = cold('--o|', { o: refused('Kubernetes answered 403: forbidden', false) })
      const { writer } = secretWriterAnswering(write)
      const expected = '  --e|'

      expectObservable(registerJob$(step, stepDeps({ scrapeTargets: writer }))).toBe(expected, {
        e: [{ v: 1, requestId: 'r1', at: NOW, type: 'StepFailed', step: 'registerJob', reason: 'Kubernetes answered 403: forbidden', retryable: false }],
      })
    })
  })

  it('records a write that got no answer as one that may have changed the job (mayHaveChanged), for the undo', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const reason = 'secret could not be written after 4 attempts: no answer within 10000 ms'
      const write = cold('--o|', { o: { ...refused(reason, true), mayHaveLanded: true as const } })
      const { writer } = secretWriterAnswering(write)

      expectObservable(registerJob$(step, stepDeps({ scrapeTargets: writer }))).toBe('--e|', {
        e: [{ v: 1, requestId: 'r1', at: NOW, type: 'StepFailed', step: 'registerJob', reason, retryable: true, mayHaveChanged: 'job' }],
      })
    })
  })
})
