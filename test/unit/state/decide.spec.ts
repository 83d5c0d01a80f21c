import { expect } from 'chai'
import type { ServiceEvent } from '../../../src/codecs/events.js'
import { STILL_IN_PLACE, decide } from '../../../src/state/decide.js'
import type { Step } from '../../../src/state/step.js'
import { evolve, fold } from '../../../src/state/evolve.js'
import { initialServiceState, type ServiceState } from '../../../src/state/service-state.js'
import {
  SERVICE,
  at,
  createAccepted,
  createPayload,
  dashboardUpserted,
  dashboardsDeleted,
  deleteAccepted,
  fakeDesired,
  jobFp,
  jobRegistered,
  jobRemoved,
  logsFp,
  metricsFp,
  outcomeOf,
  platformAccepted,
  platformPayload,
  redelivered,
  requestCompleted,
  resultIdFor,
  resultPublished,
  stepFailed,
  uidOf,
} from '../../fixtures/events.js'
import { given } from '../../support/given-when-then.js'

/** Runs decide + the fake effects until idle; returns the steps taken (type and, for dashboards, role). */
const drive = (history: readonly ServiceEvent[]): { steps: string[]; state: ServiceState; events: ServiceEvent[] } => {
  let state = fold(initialServiceState(SERVICE), history)
  const steps: string[] = []
  const events: ServiceEvent[] = []
  for (let i = 0; i < 100; i += 1) {
    const step = decide(state, fakeDesired)
    if (step.type === 'idle') return { steps, state, events }
    steps.push(step.type === 'upsertDashboard' ? `upsertDashboard:${step.role}` : step.type === 'complete' ? `complete:${step.status}` : step.type)
    const outcome = outcomeOf(step, state)
    events.push(...outcome)
    state = outcome.reduce(evolve, state)
  }
  throw new Error('decide did not reach idle in 100 steps')
}

/** Events of a create that went all the way through, result published. */
const createdService = (requestId = 'c1'): ServiceEvent[] => [createAccepted(requestId), ...drive([createAccepted(requestId)]).events]

const completeMessage = (step: Step) => (step.type === 'complete' ? [step.status, step.message] : [step.type])

describe('decide', () => {
  it('given no history, then idle', () => {
    given([]).decide(fakeDesired).then({ type: 'idle' })
  })

  describe('create', () => {
    it('given an accepted create, then register the job with the desired fingerprint', () => {
      const g = given([createAccepted('c1')])
      g.decide(fakeDesired).then({ type: 'registerJob', pending: g.state.pending[0]!, payload: createPayload(), fingerprint: jobFp })
    })

    it('given the job registered, then upsert the metrics dashboard, then the logs dashboard', () => {
      const g = given([createAccepted('c1'), jobRegistered('c1', jobFp)])
      g.decide(fakeDesired).then({ type: 'upsertDashboard', pending: g.state.pending[0]!, role: 'metrics', payload: createPayload(), fingerprint: metricsFp })
      const h = given([createAccepted('c1'), jobRegistered('c1', jobFp), dashboardUpserted('c1', 'metrics', metricsFp)])
      h.decide(fakeDesired).then({ type: 'upsertDashboard', pending: h.state.pending[0]!, role: 'logs', payload: createPayload(), fingerprint: logsFp })
    })

    it('given job and both dashboards in place, then complete with SUCCESS', () => {
      const g = given([
        createAccepted('c1'),
        jobRegistered('c1', jobFp),
        dashboardUpserted('c1', 'metrics', metricsFp),
        dashboardUpserted('c1', 'logs', logsFp),
      ])
      g.decide(fakeDesired).then({ type: 'complete', pending: g.state.pending[0]!, status: 'SUCCESS', message: 'Telemetry was successful' })
    })

    it('given a dashboard left where a person moved it, then complete with SUCCESS naming it and the folder', () => {
      const moved = { ...dashboardUpserted('c1', 'logs', logsFp), leftInFolder: 'team-folder' }
      const g = given([createAccepted('c1'), jobRegistered('c1', jobFp), dashboardUpserted('c1', 'metrics', metricsFp), moved])
      g.decide(fakeDesired).then({
        type: 'complete',
        pending: g.state.pending[0]!,
        status: 'SUCCESS',
        message: `Telemetry was successful (dashboard ${moved.uid} left unchanged in folder team-folder, where someone moved it)`,
      })
    })

    it('runs create → registerJob → metrics → logs → complete SUCCESS → publish, in that order', () => {
      expect(drive([createAccepted('c1')]).steps).to.deep.equal([
        'registerJob',
        'upsertDashboard:metrics',
        'upsertDashboard:logs',
        'complete:SUCCESS',
        'publishResult',
      ])
    })

    it('given a completed create, when the same request comes again (new id), then no Kubernetes or Grafana step: only complete and publish', () => {
      expect(drive([...createdService('c1'), createAccepted('c2')]).steps).to.deep.equal(['complete:SUCCESS', 'publishResult'])
    })

    it('given a completed create, when a create with other namespaces comes, then only what changed is redone', () => {
      const history = [...createdService('c1'), createAccepted('c2', SERVICE, { namespaces: ['NAMESPACE_3'] })]
      expect(drive(history).steps).to.deep.equal(['registerJob', 'upsertDashboard:metrics', 'upsertDashboard:logs', 'complete:SUCCESS', 'publishResult'])
      const hostOnly = [...createdService('c1'), createAccepted('c2', SERVICE, { host: '10.0.0.9' })]
      expect(drive(hostOnly).steps).to.deep.equal(['registerJob', 'complete:SUCCESS', 'publishResult'])
    })

    it('given a step that failed, then complete with FAILURE naming the step and the reason', () => {
      given([createAccepted('c1'), stepFailed('c1', 'registerJob', 'secrets "prometheus-additional" is forbidden')])
        .decide(fakeDesired)
        .then((step) => {
          expect(completeMessage(step)).to.deep.equal([
            'FAILURE',
            'Failed while registering the Prometheus scrape job: secrets "prometheus-additional" is forbidden',
          ])
        })
    })
  })

  // contract change (issue #18 item 1): a create that fails for good takes back what it did first
  describe('undo of a request that failed for good', () => {
    const failedAfterJob = [createAccepted('c1'), jobRegistered('c1', jobFp), stepFailed('c1', 'upsertDashboard', 'Grafana answered 403')]

    it('given a fresh create that registered its job and then failed, then remove the job first, then FAILURE saying it was undone', () => {
      const g = given(failedAfterJob)
      g.decide(fakeDesired).then({ type: 'removeJob', pending: g.state.pending[0]! })
      const { steps, state } = drive(failedAfterJob)
      expect(steps).to.deep.equal(['removeJob', 'complete:FAILURE', 'publishResult'])
      expect(state.job).to.equal(null)
      expect(state.status).to.equal('failed')
      expect(JSON.parse(state.completed[0]!.result.value)).to.deep.include({
        message: `Failed while creating the Grafana dashboard: Grafana answered 403; undone: removed Prometheus job ${SERVICE}`,
      })
    })

    it('given the metrics dashboard saved and the logs dashboard refused, then delete only that dashboard, then remove the job', () => {
      const history = [
        createAccepted('c1'),
        jobRegistered('c1', jobFp),
        dashboardUpserted('c1', 'metrics', metricsFp),
        stepFailed('c1', 'upsertDashboard', 'Grafana answered 403'),
      ]
      const g = given(history)
      g.decide(fakeDesired).then({ type: 'deleteDashboards', pending: g.state.pending[0]!, roles: ['metrics'] })
      const { steps, state } = drive(history)
      expect(steps).to.deep.equal(['deleteDashboards', 'removeJob', 'complete:FAILURE', 'publishResult'])
      expect(state.dashboards).to.deep.equal({})
      expect(state.job).to.equal(null)
    })

    it('given a crash after the dashboard was taken back, then the undo resumes with the job (every undo outcome is an event)', () => {
      const history = [
        createAccepted('c1'),
        jobRegistered('c1', jobFp),
        dashboardUpserted('c1', 'metrics', metricsFp),
        stepFailed('c1', 'upsertDashboard', 'Grafana answered 403'),
        dashboardsDeleted('c1', [uidOf(SERVICE, 'metrics')]),
      ]
      const g = given(history)
      g.decide(fakeDesired).then({ type: 'removeJob', pending: g.state.pending[0]! })
    })

    it('given an update of a live service that failed, then the job and dashboards from before are restored from the log', () => {
      const live = createdService('c1')
      const before = fold(initialServiceState(SERVICE), live)
      const update = createPayload(SERVICE, { namespaces: ['ns-b'] })
      const history = [
        ...live,
        createAccepted('c2', SERVICE, { namespaces: ['ns-b'] }),
        jobRegistered('c2', fakeDesired.job(update)),
        dashboardUpserted('c2', 'metrics', fakeDesired.dashboard('metrics', update), SERVICE, 2),
        stepFailed('c2', 'upsertDashboard', 'Grafana answered 403'),
      ]
      const g = given(history)
      g.decide(fakeDesired).then({ type: 'upsertDashboard', pending: g.state.pending[0]!, role: 'metrics', payload: createPayload(), fingerprint: metricsFp })
      const { steps, state } = drive(history)
      expect(steps).to.deep.equal(['upsertDashboard:metrics', 'registerJob', 'complete:FAILURE', 'publishResult'])
      expect(state.job).to.deep.equal(before.job)
      expect(state.dashboards.metrics?.fingerprint).to.equal(metricsFp)
      expect(state.dashboards.logs).to.deep.equal(before.dashboards.logs)
    })

    it('given an undo step that failed with a retry time, then wait for it and try the same undo step again', () => {
      const history = [...failedAfterJob, { ...stepFailed('c1', 'removeJob', 'apiserver 503', at(5)), retryable: true, retryAt: at(10) }]
      const g = given(history)
      g.decide(fakeDesired).then({ type: 'wait', pending: g.state.pending[0]!, until: at(10), next: { type: 'removeJob', pending: g.state.pending[0]! } })
    })

    it('given an undo step that failed for good, then FAILURE naming both failures and what is still in place', () => {
      given([...failedAfterJob, stepFailed('c1', 'removeJob', 'secrets is forbidden')])
        .decide(fakeDesired)
        .then((step) => {
          expect(completeMessage(step)).to.deep.equal([
            'FAILURE',
            `Failed while creating the Grafana dashboard: Grafana answered 403; undo failed while removing the Prometheus scrape job: secrets is forbidden; ${STILL_IN_PLACE} Prometheus job ${SERVICE}`,
          ])
        })
    })

    it('given a previous job the log holds no source for (an old snapshot), then it is named as still in place, never guessed', () => {
      const old = { ...given(createdService('c1')).state, job: { jobName: SERVICE, fingerprint: jobFp } }
      const update = createPayload(SERVICE, { namespaces: ['ns-b'] })
      const state = [
        createAccepted('c2', SERVICE, { namespaces: ['ns-b'] }),
        jobRegistered('c2', fakeDesired.job(update)),
        stepFailed('c2', 'upsertDashboard', 'Grafana answered 403'),
      ].reduce(evolve, old)
      expect(completeMessage(decide(state, fakeDesired))).to.deep.equal([
        'FAILURE',
        `Failed while creating the Grafana dashboard: Grafana answered 403; ${STILL_IN_PLACE} Prometheus job ${SERVICE} (its previous version is not in the log)`,
      ])
    })

    it('given a create that failed before any side effect, then FAILURE at once (nothing to take back)', () => {
      expect(drive([createAccepted('c1'), stepFailed('c1', 'registerJob', 'refused')]).steps).to.deep.equal(['complete:FAILURE', 'publishResult'])
    })
  })

  describe('results first', () => {
    it('given a recorded result not yet published, then publish it before advancing the next pending request', () => {
      const done = requestCompleted('c1', 'SUCCESS')
      given([createAccepted('c1'), done, createAccepted('c2')])
        .decide(fakeDesired)
        .then({ type: 'publishResult', requestId: 'c1', resultId: resultIdFor('c1'), result: done.result })
    })

    it('given a completed request redelivered, then its result is published again and nothing else happens', () => {
      expect(drive([...createdService('c1'), redelivered('c1')]).steps).to.deep.equal(['publishResult'])
    })

    it('given a result owed twice, then it is published twice', () => {
      expect(drive([createAccepted('c1'), redelivered('c1')]).steps.filter((s) => s === 'publishResult')).to.have.length(2)
    })
  })

  describe('delete', () => {
    it('given a created service, then removeJob, deleteDashboards, complete SUCCESS listing what was removed', () => {
      const run = drive([...createdService('c1'), deleteAccepted('d1')])
      expect(run.steps).to.deep.equal(['removeJob', 'deleteDashboards', 'complete:SUCCESS', 'publishResult'])
      const completed = run.events.find((e) => e.type === 'RequestCompleted')
      expect(completed?.type === 'RequestCompleted' && JSON.parse(completed.result.value)).to.include({
        message: `Telemetry deleted: removed Prometheus job ${SERVICE}; deleted 2 dashboard(s): ${uidOf(SERVICE, 'metrics')}, ${uidOf(SERVICE, 'logs')}`,
      })
      expect(run.state).to.include({ status: 'deleted', job: null })
    })

    it('given an unknown service, then removeJob and deleteDashboards still run (the outside may hold leftovers), then SUCCESS "Nothing was registered"', () => {
      const g = given([deleteAccepted('d1')])
      g.decide(fakeDesired).then({ type: 'removeJob', pending: g.state.pending[0]! })
      const h = given([deleteAccepted('d1'), jobRemoved('d1', false)])
      h.decide(fakeDesired).then({ type: 'deleteDashboards', pending: h.state.pending[0]! })
      const k = given([deleteAccepted('d1'), jobRemoved('d1', false), dashboardsDeleted('d1', [])])
      k.decide(fakeDesired).then({
        type: 'complete',
        pending: k.state.pending[0]!,
        status: 'SUCCESS',
        message: `Nothing was registered for service ${SERVICE}; nothing to delete`,
      })
    })

    it('given a service already deleted with nothing applied, then complete straight away (no Kubernetes/Grafana call)', () => {
      const history = [...createdService('c1'), deleteAccepted('d1'), ...drive([...createdService('c1'), deleteAccepted('d1')]).events]
      const g = given([...history, deleteAccepted('d2')])
      expect(g.state.status).to.equal('deleted')
      g.decide(fakeDesired).then((step) => {
        expect(completeMessage(step)).to.deep.equal(['SUCCESS', `Nothing was registered for service ${SERVICE}; nothing to delete`])
      })
    })

    it('given a delete whose removeJob failed, then FAILURE naming the step', () => {
      given([deleteAccepted('d1'), stepFailed('d1', 'removeJob', 'conflict after 5 attempts')])
        .decide(fakeDesired)
        .then((step) => {
          expect(completeMessage(step)).to.deep.equal(['FAILURE', 'Failed while removing the Prometheus scrape job: conflict after 5 attempts'])
        })
    })
  })

  describe('platform', () => {
    it('given an accepted platform request, then upsert the platform dashboard, then complete SUCCESS', () => {
      const g = given([platformAccepted('p1')])
      g.decide(fakeDesired).then({
        type: 'upsertDashboard',
        pending: g.state.pending[0]!,
        role: 'platform',
        payload: platformPayload(),
        fingerprint: fakeDesired.dashboard('platform', platformPayload()),
      })
      expect(drive([platformAccepted('p1')]).steps).to.deep.equal(['upsertDashboard:platform', 'complete:SUCCESS', 'publishResult'])
    })

    it('given the platform dashboard in place, then a repeated request completes without a Grafana call', () => {
      const first = drive([platformAccepted('p1')])
      const g = given([platformAccepted('p1'), ...first.events, platformAccepted('p2')])
      g.decide(fakeDesired).then({ type: 'complete', pending: g.state.pending[0]!, status: 'SUCCESS', message: 'Platform service logs dashboard is in place' })
    })
  })

  describe('per-service order', () => {
    it('works only on the head pending request; the next starts after the head completed', () => {
      const g = given([createAccepted('c1'), deleteAccepted('d1'), platformAccepted('p1')])
      g.decide(fakeDesired).then((step) => step.type === 'registerJob' && step.pending.requestId === 'c1')
      const run = drive([createAccepted('c1'), deleteAccepted('d1'), platformAccepted('p1')])
      const order = run.events.filter((e) => e.type === 'RequestCompleted').map((e) => e.requestId)
      expect(order).to.deep.equal(['c1', 'd1', 'p1'])
      // no event of a later request appears before the earlier one completed
      const firstOf = (id: string) => run.events.findIndex((e) => e.requestId === id)
      const completedAt = (id: string) => run.events.findIndex((e) => e.type === 'RequestCompleted' && e.requestId === id)
      expect(firstOf('d1')).to.be.greaterThan(completedAt('c1'))
      expect(firstOf('p1')).to.be.greaterThan(completedAt('d1'))
    })

    it('given the head still pending, then a later request is not looked at even if it has nothing to do', () => {
      given([...createdService('c1'), createAccepted('c2', SERVICE, { namespaces: ['NEW'] }), createAccepted('c3')])
        .decide(fakeDesired)
        .then((step) => step.type === 'registerJob' && step.pending.requestId === 'c2')
    })
  })

  it('given everything done and published (a stray ResultPublished included), then idle', () => {
    given([...createdService('c1'), resultPublished('c1')])
      .decide(fakeDesired)
      .then({ type: 'idle' })
  })
})
