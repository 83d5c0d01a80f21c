import { expect } from 'chai'
import type { ServiceEvent } from '../../../src/codecs/events.js'
import { COMPLETED_WINDOW, initialServiceState, type PendingRequest, type ServiceState } from '../../../src/state/service-state.js'
// F: the event builders every state spec shares (test/fixtures/events.ts)
import * as F from '../../fixtures/events.js'
import { given } from '../../support/given-when-then.js'

const pendingCreate = (requestId: string, over: Partial<PendingRequest> = {}): PendingRequest => ({
  requestId,
  request: { kind: 'create', payload: F.createPayload() },
  kogito: { kogitoprocinstanceid: `proc-${requestId}`, kogitoprocid: 'serviceTelemetryProcess' },
  acceptedAt: F.at(0),
  done: [],
  failure: null,
  redeliveries: 0,
  removed: { job: false, dashboardUids: [] },
  ...over,
})

/** The expected state: `before` with the version/time bump every event causes, plus the changes named. */
const bumped = (before: ServiceState, when: string, changes: Partial<ServiceState> = {}): ServiceState => ({
  ...before,
  version: before.version + 1,
  lastChangeAt: when,
  ...changes,
})

const completedCreate = (requestId: string): ServiceEvent[] => [F.createAccepted(requestId), F.requestCompleted(requestId, 'SUCCESS')]

describe('evolve', () => {
  describe('RequestAccepted', () => {
    it('given a new service, when a create is accepted, then it is queued as pending and the version is 1', () => {
      given([])
        .when(F.createAccepted('r1', F.SERVICE, { at: F.at(5) }))
        .then({
          ...initialServiceState(F.SERVICE),
          version: 1,
          lastChangeAt: F.at(5),
          pending: [pendingCreate('r1', { acceptedAt: F.at(5) })],
        })
    })

    it('given an accepted request, when the same id is accepted again, then it is not queued twice', () => {
      const g = given([F.createAccepted('r1')])
      g.when(F.createAccepted('r1', F.SERVICE, { at: F.at(1) })).then(bumped(g.state, F.at(1)))
    })

    it('given a completed request, when its id is accepted again, then nothing is queued', () => {
      const g = given(completedCreate('r1'))
      g.when(F.createAccepted('r1', F.SERVICE, { at: F.at(9) })).then(bumped(g.state, F.at(9)))
    })

    it('queues requests in arrival order (the head is the one in progress)', () => {
      given([])
        .when(F.createAccepted('r1'), F.deleteAccepted('r2'), F.platformAccepted('r3'))
        .then((after) => {
          expect(after.pending.map((p) => [p.requestId, p.request.kind])).to.deep.equal([
            ['r1', 'create'],
            ['r2', 'delete'],
            ['r3', 'platform'],
          ])
        })
    })
  })

  describe('RequestRedelivered', () => {
    it('given a pending request, when it is redelivered, then its redeliveries count goes up', () => {
      const g = given([F.createAccepted('r1')])
      g.when(F.redelivered('r1', F.at(2))).then(bumped(g.state, F.at(2), { pending: [pendingCreate('r1', { redeliveries: 1 })] }))
    })

    it('given a pending request redelivered twice, when it completes, then its result is owed three times', () => {
      given([F.createAccepted('r1'), F.redelivered('r1'), F.redelivered('r1')])
        .when(F.requestCompleted('r1', 'SUCCESS'))
        .then((after) => {
          expect(after.outstanding).to.deep.equal([
            { requestId: 'r1', resultId: F.resultIdFor('r1'), result: F.requestCompleted('r1', 'SUCCESS').result, copies: 3 },
          ])
        })
    })

    it('given a completed and published request, when it is redelivered, then its recorded result is owed again', () => {
      const done = F.requestCompleted('r1', 'SUCCESS')
      const g = given([F.createAccepted('r1'), done, F.resultPublished('r1')])
      expect(g.state.outstanding).to.deep.equal([])
      g.when(F.redelivered('r1', F.at(3))).then(
        bumped(g.state, F.at(3), { outstanding: [{ requestId: 'r1', resultId: F.resultIdFor('r1'), result: done.result, copies: 1 }] }),
      )
    })

    it('given a result still owed, when the request is redelivered, then one more copy is owed (not a second entry)', () => {
      given(completedCreate('r1'))
        .when(F.redelivered('r1'))
        .then((after) => {
          expect(after.outstanding.map((o) => [o.requestId, o.copies])).to.deep.equal([['r1', 2]])
        })
    })

    it('given an unknown request id, when it is redelivered, then only version and time change', () => {
      const g = given(completedCreate('r1'))
      g.when(F.redelivered('zzz', F.at(7))).then(bumped(g.state, F.at(7)))
    })
  })

  describe('step outcomes', () => {
    it('ScrapeJobRegistered: records the job with the create it came from, marks the step done and notes what was in place before', () => {
      const g = given([F.createAccepted('r1')])
      g.when(F.jobRegistered('r1', 'fp-1')).then(
        bumped(g.state, g.state.lastChangeAt ?? '', {
          job: { jobName: F.SERVICE, fingerprint: 'fp-1', payload: F.createPayload() },
          pending: [pendingCreate('r1', { done: ['registerJob'], before: { job: null, dashboards: {} } })],
        }),
      )
    })

    it('ScrapeJobRemoved: clears the job and records on the delete whether it was there', () => {
      given([F.createAccepted('r1'), F.jobRegistered('r1', 'fp-1'), F.requestCompleted('r1', 'SUCCESS'), F.deleteAccepted('r2')])
        .when(F.jobRemoved('r2', true))
        .then((after) => {
          expect(after.job).to.equal(null)
          expect(after.pending[0]).to.include({ requestId: 'r2' })
          expect(after.pending[0]?.done).to.deep.equal(['removeJob'])
          expect(after.pending[0]?.removed).to.deep.equal({ job: true, dashboardUids: [] })
        })
    })

    it('DashboardUpserted: records the dashboard under its role, replacing an older version', () => {
      given([F.createAccepted('r1'), F.dashboardUpserted('r1', 'metrics', 'fp-a')])
        .when(F.dashboardUpserted('r1', 'metrics', 'fp-b', F.SERVICE, 2))
        .then((after) => {
          expect(after.dashboards).to.deep.equal({
            metrics: {
              uid: F.uidOf(F.SERVICE, 'metrics'),
              id: 1,
              url: `/d/${F.uidOf(F.SERVICE, 'metrics')}`,
              version: 2,
              folderUid: 'hypo-telemetry',
              fingerprint: 'fp-b',
              payload: F.createPayload(),
            },
          })
        })
    })

    it('DashboardsDeleted: forgets only the dashboards whose uids were deleted and records them on the delete', () => {
      const metrics = F.uidOf(F.SERVICE, 'metrics')
      given([
        F.createAccepted('r1'),
        F.dashboardUpserted('r1', 'metrics', 'm'),
        F.dashboardUpserted('r1', 'logs', 'l'),
        F.requestCompleted('r1', 'SUCCESS'),
        F.deleteAccepted('r2'),
      ])
        .when(F.dashboardsDeleted('r2', [metrics, 'stray-uid-found-by-tag']))
        .then((after) => {
          expect(Object.keys(after.dashboards)).to.deep.equal(['logs'])
          expect(after.pending[0]?.done).to.deep.equal(['deleteDashboards'])
          expect(after.pending[0]?.removed.dashboardUids).to.deep.equal([metrics, 'stray-uid-found-by-tag'])
        })
    })

    it('StepFailed: records the failure on the pending request', () => {
      const g = given([F.createAccepted('r1')])
      g.when(F.stepFailed('r1', 'registerJob', 'secret is forbidden')).then(
        bumped(g.state, g.state.lastChangeAt ?? '', { pending: [pendingCreate('r1', { failure: { step: 'registerJob', reason: 'secret is forbidden' } })] }),
      )
    })
  })

  describe('RequestCompleted', () => {
    it('given a pending create, when it completes with SUCCESS, then it leaves the queue, the service is active and the result is owed once', () => {
      const done = F.requestCompleted('r1', 'SUCCESS')
      const g = given([F.createAccepted('r1')])
      g.when(done).then(
        bumped(g.state, done.at, {
          status: 'active',
          pending: [],
          outstanding: [{ requestId: 'r1', resultId: done.resultId, result: done.result, copies: 1 }],
          completed: [{ requestId: 'r1', resultId: done.resultId, status: 'SUCCESS', result: done.result }],
        }),
      )
    })

    it('a delete that succeeds marks the service deleted; any FAILURE marks it failed', () => {
      given([F.deleteAccepted('r1')])
        .when(F.requestCompleted('r1', 'SUCCESS'))
        .then((s) => s.status === 'deleted')
      given([F.createAccepted('r1')])
        .when(F.requestCompleted('r1', 'FAILURE'))
        .then((s) => s.status === 'failed')
      given([F.platformAccepted('r1')])
        .when(F.requestCompleted('r1', 'SUCCESS'))
        .then((s) => s.status === 'active')
    })

    it(`remembers only the last ${COMPLETED_WINDOW} completed requests; a redelivery of an older one then owes nothing`, () => {
      const ids = Array.from({ length: COMPLETED_WINDOW + 1 }, (_, i) => `r${i}`)
      const history = ids.flatMap((id) => [...completedCreate(id), F.resultPublished(id)])
      const g = given(history)
      expect(g.state.completed.map((c) => c.requestId)).to.deep.equal(ids.slice(1))
      expect(g.state.version).to.equal(history.length)
      g.when(F.redelivered('r0', F.at(99))).then(bumped(g.state, F.at(99)))
      g.when(F.redelivered('r1')).then((after) => after.outstanding.length === 1 && after.outstanding[0]?.requestId === 'r1')
    })
  })

  describe('ResultPublished', () => {
    it('given a result owed twice, when it is published, then it is owed once; published again, then not at all', () => {
      const g = given([F.createAccepted('r1'), F.redelivered('r1'), F.requestCompleted('r1', 'SUCCESS')])
      const once = g.when(F.resultPublished('r1')).then((after) => after.outstanding[0]?.copies === 1)
      given([F.createAccepted('r1'), F.redelivered('r1'), F.requestCompleted('r1', 'SUCCESS'), F.resultPublished('r1')])
        .when(F.resultPublished('r1'))
        .then((after) => {
          expect(after.outstanding).to.deep.equal([])
          expect(after.completed).to.deep.equal(once.completed)
        })
    })

    it('given nothing owed, when a stray ResultPublished arrives, then only version and time change', () => {
      const g = given([...completedCreate('r1'), F.resultPublished('r1')])
      g.when(F.resultPublished('r1', F.at(50))).then(bumped(g.state, F.at(50)))
    })
  })

  describe('version and lastChangeAt', () => {
    it('advance by one per event, no-ops included, and take the time of the event', () => {
      const events = [
        F.createAccepted('r1', F.SERVICE, { at: F.at(1) }),
        F.createAccepted('r1', F.SERVICE, { at: F.at(2) }),
        F.redelivered('nope', F.at(3)),
        F.resultPublished('nope', F.at(4)),
      ]
      events.forEach((_, i) => {
        const g = given(events.slice(0, i + 1))
        expect(g.state.version).to.equal(i + 1)
        expect(g.state.lastChangeAt).to.equal(F.at(i + 1))
      })
    })

    it('never changes the state it was given (pure)', () => {
      const g = given([F.createAccepted('r1')])
      const before = JSON.stringify(g.state)
      g.when(F.jobRegistered('r1', 'fp'), F.requestCompleted('r1', 'SUCCESS')).then((after, prior) => after !== prior)
      expect(JSON.stringify(g.state)).to.equal(before)
    })
  })
})
