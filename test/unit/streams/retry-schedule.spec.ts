import { expect } from 'chai'
import type { ServiceEvent, StepFailed } from '../../../src/codecs/events.js'
import { fold } from '../../../src/state/evolve.js'
import { initialServiceState } from '../../../src/state/service-state.js'
import { scheduleRetries, type Patience } from '../../../src/streams/retry-schedule.js'
import { SERVICE, T0, createAccepted, jobRegistered, stepFailed } from '../../fixtures/events.js'

const ACCEPTED_MS = Date.parse(T0)
const patience = (random: number): Patience => ({ deadlineMs: 15 * 60_000, baseDelayMs: 1000, maxDelayMs: 60_000, random: () => random })
const transient: StepFailed = { ...stepFailed('c1', 'upsertDashboard', 'Grafana 503'), retryable: true }
const stateAfter = (events: readonly ServiceEvent[]) => fold(initialServiceState(SERVICE), [createAccepted('c1'), ...events])

describe('retry schedule: when a step that failed on a transient fault is tried again', () => {
  it('stamps a retryable failure with its next attempt while that lies before the deadline', () => {
    const [event] = scheduleRetries([transient], stateAfter([]), ACCEPTED_MS + 10_000, patience(0))
    expect(event).to.include({ type: 'StepFailed', retryAt: new Date(ACCEPTED_MS + 10_500).toISOString(), reason: 'Grafana 503' })
  })

  it('uses the attempts so far for the backoff', () => {
    const earlier = { ...transient, retryAt: new Date(ACCEPTED_MS).toISOString() }
    const [event] = scheduleRetries([transient], stateAfter([earlier, earlier, earlier]), ACCEPTED_MS, patience(0))
    expect(event).to.include({ retryAt: new Date(ACCEPTED_MS + 4000).toISOString() })
  })

  it('past the deadline, records the last reason without a next attempt (decide then answers FAILURE)', () => {
    const [event] = scheduleRetries([transient], stateAfter([]), ACCEPTED_MS + 15 * 60_000, patience(0))
    expect(event).to.not.have.property('retryAt')
    expect(event).to.include({ type: 'StepFailed' })
    expect(event?.type === 'StepFailed' && event.reason).to.equal('Grafana 503 (still failing after 1 attempts; gave up 15 min after the request was accepted)')
  })

  it('leaves non-retryable failures, other events, and everything without patience alone', () => {
    const forbidden = stepFailed('c1', 'registerJob', 'forbidden')
    const ok = jobRegistered('c1', 'fp')
    expect(scheduleRetries([forbidden, ok], stateAfter([]), ACCEPTED_MS, patience(0))).to.deep.equal([forbidden, ok])
    expect(scheduleRetries([transient], stateAfter([]), ACCEPTED_MS, undefined)).to.deep.equal([transient])
  })
})
