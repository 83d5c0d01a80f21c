import { expect } from 'chai'
import type { Observable } from 'rxjs'
import type { TestScheduler } from 'rxjs/testing'
import { deleteDashboards$ } from '../../../src/effects/delete-dashboards.js'
import { GrafanaError } from '../../../src/effects/grafana-error.js'
import { SERVICE, deleteAccepted, jobRemoved } from '../../fixtures/events.js'
import { testScheduler, timeline } from '../../support/marbles.js'
import { NOW, nextStep, stateAfter, stepDeps, unusedGrafana } from './step-deps-fakes.js'

type Hits = ReadonlyArray<{ readonly uid: string }>

describe('deleteDashboards$', () => {
  let scheduler: TestScheduler
  beforeEach(() => {
    scheduler = testScheduler()
  })
  // the job is gone, so the next step of the delete request is the dashboards
  const log = [deleteAccepted('r2'), jobRemoved('r2', true)]
  const step = nextStep(log, 'deleteDashboards')
  const [metrics, logs, platform] = [`tcm-${SERVICE}`, `tcl-${SERVICE}`, `tcp-${SERVICE}`]

  it("deletes the fixed uids of every role and the service's tagged dashboards one by one, and records those that existed", () => {
    const deletes = timeline<string>(scheduler)
    scheduler.run(({ cold, expectObservable }) => {
      const search = cold('-h|', { h: [{ uid: 'made-by-hand' }] })
      const settle = cold('(s|)', { s: [] })
      const answer = (uid: string): Observable<'deleted' | 'absent'> => {
        deletes.record(uid)
        return cold('-d|', { d: uid === logs ? 'absent' : 'deleted' })
      }
      const grafana = { ...unusedGrafana, searchByTag: () => search, deleteDashboard: answer, settle: () => settle }
      const expected = '         ---------(e|)'

      expectObservable(deleteDashboards$(step, stateAfter(log), stepDeps({ grafana }))).toBe(expected, {
        e: [{ v: 1, requestId: 'r2', at: NOW, type: 'DashboardsDeleted', uids: [metrics, platform, 'made-by-hand'] }],
      })
    })
    // each delete starts when the previous one completed
    expect(deletes.entries).to.deep.equal([[1, metrics], [3, logs], [5, platform], [7, 'made-by-hand']])
  })

  it('deletes again what a save that timed out brought back after our delete', () => {
    const deletes = timeline<string>(scheduler)
    scheduler.run(({ cold, expectObservable }) => {
      const search = cold<Hits>('(h|)', { h: [] })
      const settle = cold('(s|)', { s: [metrics] })
      const answer = (uid: string): Observable<'deleted' | 'absent'> => {
        deletes.record(uid)
        return cold('(d|)', { d: 'deleted' })
      }
      const grafana = { ...unusedGrafana, searchByTag: () => search, deleteDashboard: answer, settle: () => settle }

      expectObservable(deleteDashboards$(step, stateAfter(log), stepDeps({ grafana }))).toBe('(e|)', {
        e: [{ v: 1, requestId: 'r2', at: NOW, type: 'DashboardsDeleted', uids: [metrics, logs, platform] }],
      })
    })
    expect(deletes.entries.map(([, uid]) => uid)).to.deep.equal([metrics, logs, platform, metrics])
  })

  it('records a Grafana failure as StepFailed inside the effect, with the reason and whether a retry may help', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const search = cold<Hits>('--#', undefined, new GrafanaError('retryable', 503, 'search dashboards', 'Service Unavailable'))
      const grafana = { ...unusedGrafana, searchByTag: () => search }
      const expected = '         --(e|)'

      expectObservable(deleteDashboards$(step, stateAfter(log), stepDeps({ grafana }))).toBe(expected, {
        e: [{ v: 1, requestId: 'r2', at: NOW, type: 'StepFailed', step: 'deleteDashboards', reason: 'Grafana search dashboards: Service Unavailable', retryable: true }],
      })
    })
  })
})
