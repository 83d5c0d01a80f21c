/**
 * A write that failed without a readable answer (a timeout, a dropped connection, a 504, a 2xx that
 * did not decode) may have landed all the same: its StepFailed says what it may have changed
 * (`mayHaveChanged`), and the undo of a request that failed for good takes that back too, after
 * what the log recorded. Given/when/then over evolve and decide.
 */
import { expect } from 'chai'
import type { ChangeTarget, ServiceEvent, StepName } from '../../../src/codecs/events.js'
import { STILL_IN_PLACE, decide } from '../../../src/state/decide.js'
import type { Step } from '../../../src/state/step.js'
import {
  SERVICE,
  at,
  createAccepted,
  createPayload,
  dashboardUpserted,
  dashboardsDeleted,
  fakeDesired,
  jobFp,
  jobRegistered,
  jobRemoved,
  logsFp,
  metricsFp,
  platformAccepted,
  requestCompleted,
  resultPublished,
  stepFailed,
  uidOf,
} from '../../fixtures/events.js'
import { given } from '../../support/given-when-then.js'

/** A final failure of a write that got no answer (retryable, past the request's deadline: no retryAt). */
const unanswered = (requestId: string, step: StepName, target: ChangeTarget): ServiceEvent => ({
  ...stepFailed(requestId, step, 'Grafana upsert dashboard: timed out after 1500 ms (gave up after 4 attempts)'),
  retryable: true,
  mayHaveChanged: target,
})

const failureMessage = (step: Step): string => {
  expect(step.type).to.equal('complete')
  if (step.type !== 'complete') return ''
  expect(step.status).to.equal('FAILURE')
  return step.message
}

describe('undo of a write that may have landed unseen', () => {
  const metricsUnanswered = [createAccepted('c1'), jobRegistered('c1', jobFp), unanswered('c1', 'upsertDashboard', 'metrics')]

  it('given a create whose metrics save got no answer, then the job the log recorded is removed first, then the metrics dashboard is deleted by its uid', () => {
    const g = given(metricsUnanswered)
    const pending = g.state.pending[0]!
    expect(pending.undo?.mayHaveChanged).to.deep.equal(['metrics'])
    g.decide(fakeDesired).then({ type: 'removeJob', pending })
    const removed = given([...metricsUnanswered, jobRemoved('c1', true)])
    removed.decide(fakeDesired).then({ type: 'deleteDashboards', pending: removed.state.pending[0]!, roles: ['metrics'] })
  })

  it('given the unseen save had landed, when the undo deletes it, then FAILURE names it as undone and nothing is in doubt any more', () => {
    const history = [...metricsUnanswered, jobRemoved('c1', true), dashboardsDeleted('c1', [uidOf(SERVICE, 'metrics')])]
    const g = given(history)
    expect(g.state.pending[0]!.undo?.mayHaveChanged).to.deep.equal([])
    expect(failureMessage(decide(g.state, fakeDesired))).to.equal(
      `Failed while creating the Grafana dashboard: Grafana upsert dashboard: timed out after 1500 ms (gave up after 4 attempts); undone: removed Prometheus job ${SERVICE}, deleted dashboard(s) ${uidOf(SERVICE, 'metrics')}`,
    )
  })

  it('given the unseen save had not landed, when the undo finds nothing, then the FAILURE does not mention it', () => {
    const g = given([...metricsUnanswered, jobRemoved('c1', true), dashboardsDeleted('c1', [])])
    expect(failureMessage(decide(g.state, fakeDesired))).to.match(/; undone: removed Prometheus job [^,;]+$/)
  })

  it('given the logs save got no answer after the metrics one was recorded, then both are deleted (recorded first), then the job removed', () => {
    const history = [
      createAccepted('c1'),
      jobRegistered('c1', jobFp),
      dashboardUpserted('c1', 'metrics', metricsFp),
      unanswered('c1', 'upsertDashboard', 'logs'),
    ]
    const g = given(history)
    g.decide(fakeDesired).then({ type: 'deleteDashboards', pending: g.state.pending[0]!, roles: ['metrics'] })
    const afterRecorded = given([...history, dashboardsDeleted('c1', [uidOf(SERVICE, 'metrics')])])
    // the recorded delete does not settle the unseen save: it is another step, after the job
    expect(afterRecorded.state.pending[0]!.undo?.mayHaveChanged).to.deep.equal(['logs'])
    afterRecorded.decide(fakeDesired).then({ type: 'removeJob', pending: afterRecorded.state.pending[0]! })
    const afterJob = given([...history, dashboardsDeleted('c1', [uidOf(SERVICE, 'metrics')]), jobRemoved('c1', true)])
    afterJob.decide(fakeDesired).then({ type: 'deleteDashboards', pending: afterJob.state.pending[0]!, roles: ['logs'] })
  })

  it('given a platform request whose first save got no answer, then what was in place is noted as before and the dashboard is deleted by its uid', () => {
    const history = [platformAccepted('p1'), unanswered('p1', 'upsertDashboard', 'platform')]
    const g = given(history)
    const pending = g.state.pending[0]!
    expect(pending.before).to.deep.equal({ job: null, dashboards: {} })
    g.decide(fakeDesired).then({ type: 'deleteDashboards', pending, roles: ['platform'] })
  })

  it('given a registerJob that got no answer (the first write), then the job is removed; found absent, the FAILURE says nothing about it', () => {
    const history = [createAccepted('c1'), unanswered('c1', 'registerJob', 'job')]
    const g = given(history)
    g.decide(fakeDesired).then({ type: 'removeJob', pending: g.state.pending[0]! })
    const absent = given([...history, jobRemoved('c1', false)])
    expect(failureMessage(decide(absent.state, fakeDesired))).not.to.include('undone')
    const present = given([...history, jobRemoved('c1', true)])
    expect(failureMessage(decide(present.state, fakeDesired))).to.match(new RegExp(`undone: removed Prometheus job ${SERVICE}$`))
  })

  it('given an update whose metrics save got no answer, then the job and then the metrics dashboard from before are restored from the log', () => {
    const live = [createAccepted('c1'), jobRegistered('c1', jobFp), dashboardUpserted('c1', 'metrics', metricsFp), dashboardUpserted('c1', 'logs', logsFp)]
    const update = createPayload(SERVICE, { namespaces: ['ns-b'] })
    const history = [
      ...live,
      requestCompleted('c1', 'SUCCESS'),
      resultPublished('c1'),
      createAccepted('c2', SERVICE, { namespaces: ['ns-b'] }),
      jobRegistered('c2', fakeDesired.job(update)),
      unanswered('c2', 'upsertDashboard', 'metrics'),
    ]
    const g = given(history)
    g.decide(fakeDesired).then({ type: 'registerJob', pending: g.state.pending[0]!, payload: createPayload(), fingerprint: jobFp })
    const restored = given([...history, jobRegistered('c2', jobFp)])
    restored
      .decide(fakeDesired)
      .then({ type: 'upsertDashboard', pending: restored.state.pending[0]!, role: 'metrics', payload: createPayload(), fingerprint: metricsFp })
    const done = given([...history, jobRegistered('c2', jobFp), dashboardUpserted('c2', 'metrics', metricsFp, SERVICE, 3)])
    expect(done.state.pending[0]!.undo?.mayHaveChanged).to.deep.equal([])
    expect(failureMessage(decide(done.state, fakeDesired))).to.include(`restored dashboard ${uidOf(SERVICE, 'metrics')} as it was before`)
  })

  it('given the undo of an unseen save failed for good, then FAILURE names it as possibly still in place', () => {
    const history = [...metricsUnanswered, jobRemoved('c1', true), stepFailed('c1', 'deleteDashboards', 'Grafana answered 403')]
    expect(failureMessage(decide(given(history).state, fakeDesired))).to.include(`${STILL_IN_PLACE} possibly the metrics dashboard (its save may have landed)`)
  })

  it('given a failure that will be retried (retryAt), then no undo starts: the retry makes the write again', () => {
    const history = [createAccepted('c1'), jobRegistered('c1', jobFp), { ...unanswered('c1', 'upsertDashboard', 'metrics'), retryAt: at(30) }]
    const pending = given(history).state.pending[0]!
    expect(pending.undo).to.equal(undefined)
  })

  describe('an unseen write on an earlier attempt', () => {
    /** an attempt that got no answer and will be retried */
    const unansweredThenRetried = (requestId: string, target: ChangeTarget, retryAt: string) => ({
      ...unanswered(requestId, 'upsertDashboard', target),
      retryAt,
    })
    /** a final attempt refused with a status: on its own, nothing landed */
    const refused = (requestId: string, retryAt?: string): ServiceEvent => ({
      ...stepFailed(requestId, 'upsertDashboard', 'Grafana answered 503'),
      retryable: true,
      ...(retryAt === undefined ? {} : { retryAt }),
    })

    it('given a platform request whose first save got no answer and whose retries were refused, then the undo still deletes the dashboard that may have landed', () => {
      const g = given([platformAccepted('p1'), unansweredThenRetried('p1', 'platform', at(30)), refused('p1')])
      const pending = g.state.pending[0]!
      expect(pending.before, 'what the request found: nothing').to.deep.equal({ job: null, dashboards: {} })
      expect(pending.undo?.mayHaveChanged).to.deep.equal(['platform'])
      g.decide(fakeDesired).then({ type: 'deleteDashboards', pending, roles: ['platform'] })
    })

    it('given a create whose metrics save got no answer, then was refused, then got no answer again, then the target is kept once, by the undo alone', () => {
      const history = [
        createAccepted('c1'),
        jobRegistered('c1', jobFp),
        unansweredThenRetried('c1', 'metrics', at(30)),
        refused('c1', at(60)),
        unanswered('c1', 'upsertDashboard', 'metrics'),
      ]
      const pending = given(history).state.pending[0]!
      expect(pending.mayHaveChanged).to.equal(undefined)
      expect(pending.undo?.mayHaveChanged).to.deep.equal(['metrics'])
    })

    it('given the retry of an unseen save then succeeded, when a later step fails for good, then the dashboard is deleted once as recorded, and the unsure delete finds nothing to name', () => {
      const history = [
        createAccepted('c1'),
        jobRegistered('c1', jobFp),
        unansweredThenRetried('c1', 'metrics', at(30)),
        dashboardUpserted('c1', 'metrics', metricsFp),
        stepFailed('c1', 'upsertDashboard', 'Grafana answered 403'),
        dashboardsDeleted('c1', [uidOf(SERVICE, 'metrics')]),
        jobRemoved('c1', true),
        dashboardsDeleted('c1', []),
      ]
      expect(failureMessage(decide(given(history).state, fakeDesired))).to.equal(
        `Failed while creating the Grafana dashboard: Grafana answered 403; undone: deleted dashboard(s) ${uidOf(SERVICE, 'metrics')}, removed Prometheus job ${SERVICE}`,
      )
    })
  })

  it('given a refusal (no mayHaveChanged) as the first write, then FAILURE at once: nothing can have landed', () => {
    const g = given([platformAccepted('p1'), stepFailed('p1', 'upsertDashboard', 'Grafana answered 403')])
    expect(g.state.pending[0]!.undo).to.equal(undefined)
    expect(failureMessage(decide(g.state, fakeDesired))).to.equal('Failed while creating the Grafana dashboard: Grafana answered 403')
  })
})
