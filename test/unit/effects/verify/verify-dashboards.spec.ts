/**
 * `verify`'s verdict on one dashboard's GET answer (pure): absent, in the wrong folder, querying
 * another datasource, or in place — and the saved queries it hands on to the Prometheus checks.
 */
import { expect } from 'chai'
import { dashboardUid } from '../../../../src/effects/grafana/dashboard-uids.js'
import { Folders } from '../../../../src/effects/grafana/folders.js'
import { dashboardFinding } from '../../../../src/effects/verify/verify-dashboards.js'

const uid = dashboardUid('svc', 'metrics')
const answer = (folderUid: string | undefined, datasourceUid = 'prometheus') => ({
  status: 200,
  text: JSON.stringify({
    dashboard: {
      id: 1,
      uid,
      version: 3,
      title: 'App Metrics — svc',
      panels: [{ title: 'Memory Usage', datasource: { uid: datasourceUid }, targets: [{ expr: 'sum(x)', datasource: { uid: datasourceUid } }] }],
    },
    meta: { url: `/d/${uid}/x`, ...(folderUid === undefined ? {} : { folderUid, folderTitle: 'Somewhere' }) },
  }),
})

describe("verify: a dashboard's verdict", () => {
  it('given 404, then a failure that says reconcile, and no queries', () => {
    const finding = dashboardFinding('svc', 'metrics', 'prometheus', { status: 404, text: '{"message":"Dashboard not found"}' })
    expect(finding.check).to.include({ status: 'fail', name: 'grafana.dashboard metrics' })
    expect(finding.check.action).to.include('telemetry-client reconcile --service svc')
    expect(finding.queries).to.deep.equal([])
  })

  it('given the dashboard in its folder with the configured datasource, then ok and its queries', () => {
    const finding = dashboardFinding('svc', 'metrics', 'prometheus', answer(Folders.metrics.uid))
    expect(finding.check).to.include({ status: 'ok' })
    expect(finding.check.reason).to.include(`uid ${uid}, version 3`).and.include(Folders.metrics.title)
    expect(finding.queries).to.deep.equal([{ title: 'Memory Usage', expr: 'sum(x)', datasourceUid: 'prometheus' }])
  })

  it('given another folder, then a warning naming both folders', () => {
    const finding = dashboardFinding('svc', 'metrics', 'prometheus', answer('elsewhere'))
    expect(finding.check).to.include({ status: 'warning' })
    expect(finding.check.reason).to.include('Somewhere').and.include(Folders.metrics.title)
  })

  it('given queries on another datasource than configured, then a warning naming both uids', () => {
    const finding = dashboardFinding('svc', 'metrics', 'prometheus-eu', answer(Folders.metrics.uid))
    expect(finding.check).to.include({ status: 'warning' })
    expect(finding.check.reason).to.include('queries datasource prometheus, the configuration says prometheus-eu')
  })

  it('given an answer that is not a dashboard, then a failure', () => {
    expect(dashboardFinding('svc', 'metrics', 'prometheus', { status: 200, text: '<html>' }).check).to.include({ status: 'fail' })
  })
})
