import { expect } from 'chai'
import type { TestScheduler } from 'rxjs/testing'
import type { StepFailed } from '../../../../src/codecs/events.js'
import { upsertDashboard$ } from '../../../../src/effects/steps/upsert-dashboard.js'
import { GrafanaError } from '../../../../src/effects/grafana/grafana-error.js'
import type { DashboardRef } from '../../../../src/effects/grafana/grafana-client.js'
import { SERVICE, createAccepted, createPayload, fakeDesired, jobRegistered } from '../../../fixtures/events.js'
import { testScheduler } from '../../../support/marbles.js'
import { NOW, nextStep, stepDeps, unusedGrafana } from '../step-deps-fakes.js'

const FOLDER = 'etsi-hypo-app-metrics'
const ref: DashboardRef = { id: 7, uid: `tcm-${SERVICE}`, url: `/d/tcm-${SERVICE}/app-metrics`, version: 1 }

describe('upsertDashboard$', () => {
  let scheduler: TestScheduler
  beforeEach(() => {
    scheduler = testScheduler()
  })
  // the job is in place, so the next step of the create request is its metrics dashboard
  const step = nextStep([createAccepted('r1'), jobRegistered('r1', fakeDesired.job(createPayload()))], 'upsertDashboard')
  const upserted = {
    v: 1,
    requestId: 'r1',
    at: NOW,
    type: 'DashboardUpserted',
    role: 'metrics',
    uid: ref.uid,
    id: 7,
    url: ref.url,
    version: 1,
    folderUid: FOLDER,
    fingerprint: step.fingerprint,
  }

  it('ensures the folder, then saves the dashboard, then waits until no earlier save can land, and records DashboardUpserted', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const folder = cold('  -f|', { f: undefined })
      const save = cold('      --r|', { r: ref })
      const settle = cold('      -s|', { s: [] })
      const expected = '     -----e|'
      const grafana = { ...unusedGrafana, ensureFolder: () => folder, upsertDashboard: () => save, settle: () => settle }

      expectObservable(upsertDashboard$(step, stepDeps({ grafana }))).toBe(expected, { e: [upserted] })
      expectSubscriptions(folder.subscriptions).toBe('^-!')
      expectSubscriptions(save.subscriptions).toBe('  --^--!')
      expectSubscriptions(settle.subscriptions).toBe('----^-!')
    })
  })

  it('saves create-only first when the log holds no dashboard of the role, and plainly when it holds one', () => {
    const asked: unknown[] = []
    scheduler.run(({ cold, expectObservable }) => {
      const grafana = {
        ...unusedGrafana,
        ensureFolder: () => cold<void>('|'),
        upsertDashboard: (...args: readonly unknown[]) => {
          asked.push(args[4])
          return cold('-r|', { r: ref })
        },
        settle: () => cold('s|', { s: [] }),
      }
      expectObservable(upsertDashboard$(step, stepDeps({ grafana }), false)).toBe('-e|', { e: [upserted] })
      expectObservable(upsertDashboard$(step, stepDeps({ grafana }), true)).toBe('-e|', { e: [upserted] })
    })
    expect(asked).to.deep.equal([{ createFirst: true }, { createFirst: false }])
  })

  it('saves again when an earlier save that timed out landed after ours, so ours is the last write', () => {
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const folder = cold<void>('  |')
      const save = cold('    -r|', { r: ref })
      const settle = cold('   -s|', { s: [ref.uid] })
      const expected = '     ---e|'
      const grafana = { ...unusedGrafana, ensureFolder: () => folder, upsertDashboard: () => save, settle: () => settle }

      expectObservable(upsertDashboard$(step, stepDeps({ grafana }))).toBe(expected, { e: [upserted] })
      expectSubscriptions(save.subscriptions).toBe(['^-!', '--^-!'])
    })
  })

  it('re-creates a folder deleted by hand: forgets it, ensures it again and saves again', () => {
    const forgotten: string[] = []
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const folder = cold<void>('  |')
      const refused = cold<DashboardRef>('-#', undefined, new GrafanaError('invalid', 400, 'upsert dashboard', 'folder not found'))
      const save = cold('     -r|', { r: ref })
      const settle = cold('    (s|)', { s: [] })
      const saves = [refused, save]
      const grafana = {
        ...unusedGrafana,
        ensureFolder: () => folder,
        forgetFolder: (uid: string) => void forgotten.push(uid),
        upsertDashboard: () => saves.shift() ?? refused,
        settle: () => settle,
      }
      expectObservable(upsertDashboard$(step, stepDeps({ grafana }))).toBe('--e|', { e: [upserted] })
      expectSubscriptions(folder.subscriptions).toBe(['(^!)', '-(^!)'])
    })
    expect(forgotten).to.deep.equal([FOLDER])
  })

  // each row: the error Grafana gives for the save, then the StepFailed the effect records
  const stepFailed = (fields: Pick<StepFailed, 'reason' | 'retryable' | 'mayHaveChanged'>): StepFailed => ({
    v: 1,
    requestId: 'r1',
    at: NOW,
    type: 'StepFailed',
    step: 'upsertDashboard',
    ...fields,
  })
  const detail = 'timed out after 1500 ms (gave up after 4 attempts)'
  const failures: readonly { readonly title: string; readonly error: GrafanaError; readonly failed: StepFailed }[] = [
    {
      title: 'records a Grafana failure as StepFailed inside the effect, with the reason and whether a retry may help',
      error: new GrafanaError('unauthorized', 403, `upsert dashboard tcm-${SERVICE}`, 'Permission denied'),
      failed: stepFailed({ reason: `Grafana upsert dashboard tcm-${SERVICE}: Permission denied`, retryable: false }),
    },
    {
      title: 'records a save that got no readable answer as one that may have changed the role dashboard (mayHaveChanged), for the undo',
      error: new GrafanaError('retryable', undefined, `upsert dashboard tcm-${SERVICE}`, detail, true),
      failed: stepFailed({ reason: `Grafana upsert dashboard tcm-${SERVICE}: ${detail}`, retryable: true, mayHaveChanged: 'metrics' }),
    },
  ]
  for (const { title, error, failed } of failures) {
    it(title, () => {
      scheduler.run(({ cold, expectObservable }) => {
        const folder = cold('  -f|', { f: undefined })
        const save = cold<DashboardRef>('--#', undefined, error)
        const grafana = { ...unusedGrafana, ensureFolder: () => folder, upsertDashboard: () => save }

        expectObservable(upsertDashboard$(step, stepDeps({ grafana }))).toBe('----(e|)', { e: [failed] })
      })
    })
  }

  it("records where the port left a dashboard a person moved into another folder (the port's save answers with leftInFolder)", () => {
    scheduler.run(({ cold, expectObservable }) => {
      const folder = cold('  -f|', { f: undefined })
      const left = cold('      -g|', { g: { ...ref, folderUid: 'team-folder', leftInFolder: 'team-folder' } })
      const settle = cold('       (s|)', { s: [] })
      const grafana = { ...unusedGrafana, ensureFolder: () => folder, upsertDashboard: () => left, settle: () => settle }
      expectObservable(upsertDashboard$(step, stepDeps({ grafana }))).toBe('---e|', { e: [{ ...upserted, leftInFolder: 'team-folder' }] })
    })
  })
})
