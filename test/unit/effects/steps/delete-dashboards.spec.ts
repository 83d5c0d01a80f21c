import { expect } from 'chai'
import type { Observable } from 'rxjs'
import type { TestScheduler } from 'rxjs/testing'
import { deleteDashboards$ } from '../../../../src/effects/steps/delete-dashboards.js'
import { Folders } from '../../../../src/effects/grafana/folders.js'
import type { DashboardRef } from '../../../../src/effects/grafana/grafana-client.js'
import { GrafanaError } from '../../../../src/effects/grafana/grafana-error.js'
import { SERVICE, deleteAccepted, jobRemoved } from '../../../fixtures/events.js'
import { testScheduler, timeline } from '../../../support/marbles.js'
import { NOW, nextStep, stateAfter, stepDeps, unusedGrafana } from '../step-deps-fakes.js'

describe('deleteDashboards$', () => {
  let scheduler: TestScheduler
  beforeEach(() => {
    scheduler = testScheduler()
  })
  // the job is gone, so the next step of the delete request is the dashboards
  const log = [deleteAccepted('r2'), jobRemoved('r2', true)]
  const step = nextStep(log, 'deleteDashboards')
  const [metrics, logs, platform] = [`tcm-${SERVICE}`, `tcl-${SERVICE}`, `tcp-${SERVICE}`]
  const inFolder = (uid: string, folderUid: string): DashboardRef => ({ uid, id: 1, url: `/d/${uid}`, version: 1, folderUid })
  const own: Readonly<Record<string, DashboardRef>> = {
    [metrics]: inFolder(metrics, Folders.metrics.uid),
    [logs]: inFolder(logs, Folders.logs.uid),
    [platform]: inFolder(platform, Folders.platform.uid),
  }

  it('deletes, one after another, only its own dashboards still in its folders, and records those that existed', () => {
    const deletes = timeline<string>(scheduler)
    scheduler.run(({ cold, expectObservable }) => {
      // platform was moved into a person's folder: it is theirs now
      const found: Readonly<Record<string, DashboardRef>> = { ...own, [platform]: inFolder(platform, 'someones-folder') }
      const answer = (uid: string): Observable<'deleted' | 'absent'> => {
        deletes.record(uid)
        return cold('-d|', { d: uid === logs ? 'absent' : 'deleted' })
      }
      const grafana = {
        ...unusedGrafana,
        getDashboard: (uid: string) => cold('(g|)', { g: found[uid] }),
        deleteDashboard: answer,
        settle: () => cold('(s|)', { s: [] }),
      }
      const expected = '         ----(e|)'

      expectObservable(deleteDashboards$(step, stateAfter(log), stepDeps({ grafana }))).toBe(expected, {
        e: [{ v: 1, requestId: 'r2', at: NOW, type: 'DashboardsDeleted', uids: [metrics] }],
      })
    })
    // each delete starts when the previous one completed; the moved dashboard is never deleted
    expect(deletes.entries).to.deep.equal([
      [0, metrics],
      [2, logs],
    ])
  })

  it('never deletes by tag: a copy that carries the service tag is not even looked up', () => {
    const looked: string[] = []
    scheduler.run(({ cold, expectObservable }) => {
      const grafana = {
        ...unusedGrafana,
        getDashboard: (uid: string) => (looked.push(uid), cold('(g|)', { g: undefined })),
        settle: () => cold('(s|)', { s: [] }),
      }
      expectObservable(deleteDashboards$(step, stateAfter(log), stepDeps({ grafana }))).toBe('(e|)', {
        e: [{ v: 1, requestId: 'r2', at: NOW, type: 'DashboardsDeleted', uids: [] }],
      })
    })
    expect(looked).to.deep.equal([metrics, logs, platform])
  })

  it('deletes again what a save that timed out brought back after our delete', () => {
    const deletes = timeline<string>(scheduler)
    scheduler.run(({ cold, expectObservable }) => {
      const answer = (uid: string): Observable<'deleted' | 'absent'> => {
        deletes.record(uid)
        return cold('(d|)', { d: 'deleted' })
      }
      const grafana = {
        ...unusedGrafana,
        getDashboard: (uid: string) => cold('(g|)', { g: own[uid] }),
        deleteDashboard: answer,
        settle: () => cold('(s|)', { s: [metrics] }),
      }

      expectObservable(deleteDashboards$(step, stateAfter(log), stepDeps({ grafana }))).toBe('(e|)', {
        e: [{ v: 1, requestId: 'r2', at: NOW, type: 'DashboardsDeleted', uids: [metrics, logs, platform] }],
      })
    })
    expect(deletes.entries.map(([, uid]) => uid)).to.deep.equal([metrics, logs, platform, metrics])
  })

  it('records a Grafana failure as StepFailed inside the effect, with the reason and whether a retry may help', () => {
    scheduler.run(({ cold, expectObservable }) => {
      const lookup = cold<DashboardRef | undefined>('--#', undefined, new GrafanaError('retryable', 503, 'get dashboard', 'Service Unavailable'))
      const grafana = { ...unusedGrafana, getDashboard: () => lookup }
      const expected = '         --(e|)'

      expectObservable(deleteDashboards$(step, stateAfter(log), stepDeps({ grafana }))).toBe(expected, {
        e: [
          {
            v: 1,
            requestId: 'r2',
            at: NOW,
            type: 'StepFailed',
            step: 'deleteDashboards',
            reason: 'Grafana get dashboard: Service Unavailable',
            retryable: true,
          },
        ],
      })
    })
  })
})
