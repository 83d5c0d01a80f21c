import { expect } from 'chai'
import type { StepFailed } from '../../../src/codecs/events.js'
import { at, createAccepted, createPayload, dashboardUpserted, fakeDesired, jobRegistered, stepFailed } from '../../fixtures/events.js'
import { given } from '../../support/given-when-then.js'

const jobFp = fakeDesired.job(createPayload())
const metricsFp = fakeDesired.dashboard('metrics', createPayload())

/** A transient fault (Grafana 503), stamped by the drain with the time of the next attempt. */
const transient = (step: StepFailed['step'], retryAt: string | undefined, when = at(1)): StepFailed => ({
  ...stepFailed('c1', step, 'Grafana upsert dashboard: 503 Service Unavailable', when),
  retryable: true,
  ...(retryAt === undefined ? {} : { retryAt }),
})

describe('state: patience with transient faults', () => {
  describe('evolve', () => {
    it('given an accepted create, when a retryable StepFailed with retryAt is recorded, then the head records the next attempt time and counts the attempt', () => {
      given([createAccepted('c1')])
        .when(transient('registerJob', at(5)))
        .then((after) => {
          expect(after.pending[0]?.failure).to.deep.equal({ step: 'registerJob', reason: 'Grafana upsert dashboard: 503 Service Unavailable', retryAt: at(5) })
          expect(after.pending[0]?.attempts).to.equal(1)
        })
    })

    it('given two transient failures, when the step then succeeds, then the failure is cleared and the attempts stay for operators', () => {
      given([createAccepted('c1'), jobRegistered('c1', jobFp), transient('upsertDashboard', at(5)), transient('upsertDashboard', at(9), at(6))])
        .when(dashboardUpserted('c1', 'metrics', metricsFp))
        .then((after) => {
          expect(after.pending[0]?.failure).to.equal(null)
          expect(after.pending[0]?.attempts).to.equal(2)
        })
    })

    it('given an accepted create, when a non-retryable StepFailed is recorded, then no attempt is counted and no retry time is set', () => {
      given([createAccepted('c1')])
        .when(stepFailed('c1', 'registerJob', 'forbidden'))
        .then((after) => {
          expect(after.pending[0]?.failure).to.deep.equal({ step: 'registerJob', reason: 'forbidden' })
          expect(after.pending[0]?.attempts).to.equal(undefined)
        })
    })
  })

  describe('decide', () => {
    it('given a transient failure with a next attempt time, then wait until that time, then the step decided as if it had not failed', () => {
      const g = given([createAccepted('c1'), jobRegistered('c1', jobFp), transient('upsertDashboard', at(5))])
      g.decide(fakeDesired).then({
        type: 'wait',
        pending: g.state.pending[0]!,
        until: at(5),
        next: { type: 'upsertDashboard', pending: g.state.pending[0]!, role: 'metrics', payload: createPayload(), fingerprint: metricsFp },
      })
    })

    it('given a transient failure past the deadline (no next attempt time), then complete with FAILURE and the last reason', () => {
      given([createAccepted('c1'), transient('registerJob', undefined)])
        .decide(fakeDesired)
        .then((step) => {
          expect(step.type === 'complete' && [step.status, step.message]).to.deep.equal([
            'FAILURE',
            'Failed while registering the Prometheus scrape job: Grafana upsert dashboard: 503 Service Unavailable',
          ])
        })
    })

    it('given a non-retryable failure (403), then complete with FAILURE at once', () => {
      given([createAccepted('c1'), stepFailed('c1', 'registerJob', 'Kubernetes refused the secret update: 403 forbidden')])
        .decide(fakeDesired)
        .then((step) => {
          expect(step.type === 'complete' && step.status).to.equal('FAILURE')
        })
    })
  })
})
