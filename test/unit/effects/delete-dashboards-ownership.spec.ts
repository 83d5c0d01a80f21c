import { expect } from 'chai'
import { deletePayload } from '../../fixtures/events.js'
import { firstValueFrom } from 'rxjs'
import type { Step } from '../../../src/state/step.js'
import { initialServiceState, newPending } from '../../../src/state/service-state.js'
import { dashboardUid } from '../../../src/effects/grafana/dashboard-uids.js'
import { deleteDashboards$ } from '../../../src/effects/steps/delete-dashboards.js'
import { Folders } from '../../../src/effects/grafana/folders.js'
import type { GrafanaClient } from '../../../src/effects/grafana/grafana-client.js'
import type { StepDeps } from '../../../src/effects/steps/step-deps.js'

const pending = newPending('r-1', { kind: 'delete', payload: deletePayload('svc') }, '2026-11-30T00:00:00.000Z')
const step = { type: 'deleteDashboards', pending } as const satisfies Step

/** A Grafana holding `dashboards` (uid → folder); records what was deleted and never searches. */
const fakeGrafana = (dashboards: Map<string, string>) => {
  const deleted: string[] = []
  const grafana = {
    getDashboard: (uid: string) => {
      const folderUid = dashboards.get(uid)
      return Promise.resolve(folderUid === undefined ? undefined : { id: 1, uid, url: `/d/${uid}`, version: 1, folderUid, model: {} })
    },
    deleteDashboard: (uid: string) => {
      deleted.push(uid)
      return Promise.resolve(dashboards.delete(uid) ? ('deleted' as const) : ('absent' as const))
    },
    listOwn: () => Promise.reject(new Error('delete must not search by tag or label')),
    settle: () => Promise.resolve([]),
  } as unknown as GrafanaClient
  return { grafana, deleted }
}

describe('deleteDashboards$', () => {
  it("given the service's uids in its folders, one moved elsewhere and a tagged copy, then only the ones in its folders are deleted", async () => {
    const dashboards = new Map([
      [dashboardUid('svc', 'metrics'), Folders.metrics.uid],
      [dashboardUid('svc', 'logs'), 'alice'],
      ['someones-copy', Folders.metrics.uid],
    ])
    const { grafana, deleted } = fakeGrafana(dashboards)
    const deps = { grafana, now: () => new Date('2026-11-30T00:00:01.000Z') } as unknown as StepDeps
    const [event] = await firstValueFrom(deleteDashboards$(step, initialServiceState('svc'), deps))
    expect(event).to.deep.include({ type: 'DashboardsDeleted', uids: [dashboardUid('svc', 'metrics')] })
    expect(deleted).to.deep.equal([dashboardUid('svc', 'metrics')])
    expect([...dashboards.keys()]).to.have.members([dashboardUid('svc', 'logs'), 'someones-copy'])
  })
})
