import { expect } from 'chai'
import { map, of } from 'rxjs'
import type { TestScheduler } from 'rxjs/testing'
import type { ResultRecord, ServiceEvent } from '../../../../src/codecs/events.js'
import { runStep$ } from '../../../../src/effects/steps/run-step.js'
import type { JobEdit } from '../../../../src/effects/prometheus/owned-list-edits.js'
import {
  SERVICE,
  createAccepted,
  createPayload,
  dashboardsDeleted,
  deleteAccepted,
  fakeDesired,
  jobRegistered,
  jobRemoved,
  requestCompleted,
  resultIdFor,
} from '../../../fixtures/events.js'
import { testScheduler } from '../../../support/marbles.js'
import { NOW, nextStep, secretWriterAnswering, stateAfter, stepDeps, unusedGrafana, written } from '../step-deps-fakes.js'
import { Folders } from '../../../../src/effects/grafana/folders.js'

/** Event types only (RequestCompleted with its status): these specs are about which effect ran. */
const summary = (events: readonly ServiceEvent[]) => events.map((e) => (e.type === 'RequestCompleted' ? `${e.type} ${e.status}` : e.type))

const folderOfUid = (uid: string): string => (uid.startsWith('tcm-') ? Folders.metrics.uid : uid.startsWith('tcl-') ? Folders.logs.uid : Folders.platform.uid)

/** the dashboard does not exist yet (synchronous: no frame of its own) */
const absent = () => of(undefined)

describe('runStep$ (dispatch of a decided step to its effect)', () => {
  let scheduler: TestScheduler
  beforeEach(() => {
    scheduler = testScheduler()
  })

  it('runs nothing for an idle step and completes at once', () => {
    scheduler.run(({ expectObservable }) => {
      expectObservable(runStep$({ type: 'idle' }, stateAfter([]), stepDeps())).toBe('|')
    })
  })

  it('sends a registerJob step to the secret writer as an upsert', () => {
    const log = [createAccepted('r1')]
    let submitted: readonly JobEdit[] = []
    scheduler.run(({ cold, expectObservable }) => {
      const fake = secretWriterAnswering(cold('-o|', { o: written(false) }))
      submitted = fake.submitted
      const step = nextStep(log, 'registerJob')
      expectObservable(runStep$(step, stateAfter(log), stepDeps({ scrapeTargets: fake.writer }))).toBe('-e|', {
        e: [{ v: 1, requestId: 'r1', at: NOW, type: 'ScrapeJobRegistered', jobName: SERVICE, fingerprint: step.fingerprint }],
      })
    })
    expect(submitted.map((edit) => edit.op)).to.deep.equal(['upsert'])
  })

  it("sends a removeJob step to the secret writer as a removal of the state's service", () => {
    const log = [deleteAccepted('r2')]
    let submitted: readonly JobEdit[] = []
    scheduler.run(({ cold, expectObservable }) => {
      const fake = secretWriterAnswering(cold('-o|', { o: written(false) }))
      submitted = fake.submitted
      expectObservable(runStep$(nextStep(log, 'removeJob'), stateAfter(log), stepDeps({ scrapeTargets: fake.writer }))).toBe('-e|', {
        e: [{ v: 1, requestId: 'r2', at: NOW, type: 'ScrapeJobRemoved', jobName: SERVICE, wasPresent: false }],
      })
    })
    expect(submitted).to.deep.equal([{ op: 'remove', jobName: SERVICE }])
  })

  it('sends a publishResult step to the publisher', () => {
    const completed = requestCompleted('r1', 'SUCCESS')
    const log = [createAccepted('r1'), completed]
    const sent: ResultRecord[] = []
    scheduler.run(({ cold, expectObservable }) => {
      const publish = (record: ResultRecord) => {
        sent.push(record)
        return cold('--a|', { a: undefined })
      }
      expectObservable(runStep$(nextStep(log, 'publishResult'), stateAfter(log), stepDeps({ publish }))).toBe('--e|', {
        e: [{ v: 1, requestId: 'r1', at: NOW, type: 'ResultPublished', resultId: resultIdFor('r1') }],
      })
    })
    expect(sent).to.deep.equal([completed.result])
  })

  it('completes a request without calling any dep: the result message is built from the state', () => {
    const log = [deleteAccepted('r2'), jobRemoved('r2', false), dashboardsDeleted('r2', [])]
    scheduler.run(({ expectObservable }) => {
      expectObservable(runStep$(nextStep(log, 'complete'), stateAfter(log), stepDeps()).pipe(map(summary))).toBe('(e|)', {
        e: ['RequestCompleted SUCCESS'],
      })
    })
  })

  it('sends an upsertDashboard step to Grafana', () => {
    const log = [createAccepted('r1'), jobRegistered('r1', fakeDesired.job(createPayload()))]
    const ref = { id: 7, uid: `tcm-${SERVICE}`, url: `/d/tcm-${SERVICE}`, version: 1 }
    scheduler.run(({ cold, expectObservable }) => {
      const grafana = {
        ...unusedGrafana,
        getDashboard: absent,
        ensureFolder: () => cold<void>('|'),
        upsertDashboard: () => cold('-r|', { r: ref }),
        settle: () => cold('(s|)', { s: [] }),
      }
      expectObservable(runStep$(nextStep(log, 'upsertDashboard'), stateAfter(log), stepDeps({ grafana })).pipe(map(summary))).toBe('-e|', {
        e: ['DashboardUpserted'],
      })
    })
  })

  it('sends a deleteDashboards step to Grafana, for the dashboards of the state it is given', () => {
    const log = [deleteAccepted('r2'), jobRemoved('r2', false)]
    const deleted: string[] = []
    scheduler.run(({ cold, expectObservable }) => {
      const grafana = {
        ...unusedGrafana,
        // every fixed uid is still in its role's folder, so each is ours to delete
        getDashboard: (uid: string) => cold('(g|)', { g: { uid, id: 1, url: `/d/${uid}`, version: 1, folderUid: folderOfUid(uid) } }),
        deleteDashboard: (uid: string) => (deleted.push(uid), cold<'absent'>('(a|)', { a: 'absent' })),
        settle: () => cold('(s|)', { s: [] }),
      }
      expectObservable(runStep$(nextStep(log, 'deleteDashboards'), stateAfter(log), stepDeps({ grafana })).pipe(map(summary))).toBe('(e|)', {
        e: ['DashboardsDeleted'],
      })
    })
    expect(deleted).to.deep.equal([`tcm-${SERVICE}`, `tcl-${SERVICE}`, `tcp-${SERVICE}`])
  })
})
