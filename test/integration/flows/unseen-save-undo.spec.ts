/**
 * A dashboard save that Grafana carries out but whose answer never reaches the service in time
 * (every attempt times out on the client, the simulator saves it a little later): the request
 * fails for good, and its FAILURE must leave nothing behind all the same. The log never recorded
 * the dashboard, so the StepFailed says the save may have landed (`mayHaveChanged`) and the undo
 * deletes it by its fixed uid, in the service's folder only, after what the log recorded, even when
 * only an earlier attempt of the request met it.
 */
import { expect } from 'chai'
import { dashboardUid } from '../../../src/effects/grafana/dashboard-uids.js'
import { Folders } from '../../../src/effects/grafana/folders.js'
import { formatInspection, inspectService } from '../../../src/ops/log/inspect.js'
import { callAsPerson } from '../../support/grafana-as-person.js'
import { useHarness } from '../../support/harness-hooks.js'
import { answerTo, createRequest, jobNamesIn, platformRequest } from '../../support/request-builders.js'
import { sleep } from '../../support/wait.js'

/** Past the client's timeout (GRAFANA_TIMEOUT_MS below): the save lands after the client gave up. */
const LATE_MS = 700

describe('a dashboard save that landed unseen is taken back by the FAILURE', function () {
  this.timeout(60_000)
  const ctx = useHarness({
    harness: {
      env: { GRAFANA_TIMEOUT_MS: '300', GRAFANA_RETRIES: '1', REQUEST_DEADLINE: '2s', REQUEST_RETRY_BASE_DELAY: '500ms', REQUEST_RETRY_MAX_DELAY: '1s' },
    },
  })
  afterEach(() => ctx.harness.stack.grafana.faults.clear())

  const grafana = () => ctx.harness.stack.grafana
  const dashboardsOf = (serviceId: string) =>
    grafana()
      .dashboards()
      .filter((d) => (['metrics', 'logs', 'platform'] as const).some((role) => d.uid === dashboardUid(serviceId, role)))
  const failures = async (serviceId: string) =>
    ((await ctx.harness.store.readEvents(serviceId)) ?? []).map((e) => e.event).filter((e) => e.type === 'StepFailed')

  it('a create whose metrics save always answers too late: FAILURE, the job removed and the dashboard that landed deleted', async () => {
    const serviceId = 'svc-unseen-metrics'
    grafana().faults.add({ kind: 'dashboard.upsert', latencyMs: LATE_MS })
    const data = await answerTo(ctx.results, createRequest(serviceId))
    grafana().faults.clear()
    expect(data['dashboardDataOrderStatus']).to.equal('FAILURE')
    expect(data['dashboardDataOrderMessage'])
      .to.be.a('string')
      .and.match(/^Failed while creating the Grafana dashboard: .*timed out/)
      .and.include(`removed Prometheus job ${serviceId}`)
      .and.include(`deleted dashboard(s) ${dashboardUid(serviceId, 'metrics')}`)
    expect((await failures(serviceId)).at(-1)).to.include({ step: 'upsertDashboard', mayHaveChanged: 'metrics' })
    // operators see it in the history
    const inspection = await inspectService(ctx.harness.store, serviceId)
    expect(inspection === undefined ? '' : formatInspection(inspection)).to.match(/StepFailed .*upsertDashboard \(retryable\): .* — may have changed metrics/)
    // any save still on its way has landed by now; the undo waited for it (settle) and deleted it
    await sleep(LATE_MS)
    expect(dashboardsOf(serviceId)).to.deep.equal([])
    expect(jobNamesIn(ctx.harness.stack.scrapeConfigs())).not.to.include(serviceId)
  })

  it('a platform request whose only save answers too late (its first side effect): FAILURE and no dashboard left', async () => {
    const serviceId = 'svc-unseen-platform'
    grafana().faults.add({ kind: 'dashboard.upsert', latencyMs: LATE_MS })
    const data = await answerTo(ctx.results, platformRequest(serviceId, ['hypo-unseen']))
    grafana().faults.clear()
    expect(data['dashboardDataOrderStatus']).to.equal('FAILURE')
    expect(data['dashboardDataOrderMessage']).to.include(`deleted dashboard(s) ${dashboardUid(serviceId, 'platform')}`)
    await sleep(LATE_MS)
    expect(dashboardsOf(serviceId)).to.deep.equal([])
  })

  it('a create whose metrics dashboard is already in place unrecorded (an earlier unseen save): refused as existing, the overwrite fails, and the FAILURE deletes it', async () => {
    const serviceId = 'svc-unseen-existing'
    const uid = dashboardUid(serviceId, 'metrics')
    // what a save whose answer was lost leaves: the service's dashboard in its folder, unknown to the log
    await callAsPerson(grafana(), 'POST', '/api/folders', Folders.metrics) // 409 when a case before made it
    const placed = await callAsPerson(grafana(), 'POST', '/api/dashboards/db', {
      dashboard: { uid, title: `App Metrics — ${serviceId}` },
      folderUid: Folders.metrics.uid,
    })
    expect(placed.status).to.equal(200)
    // the create-only save is served (refused as existing); every write after it answers 503
    grafana().faults.add({ kind: 'dashboard.upsert', times: 1 })
    grafana().faults.add({ kind: 'dashboard.upsert', effect: { type: 'status', status: 503 } })
    const data = await answerTo(ctx.results, createRequest(serviceId))
    grafana().faults.clear()
    expect(data['dashboardDataOrderStatus']).to.equal('FAILURE')
    expect(data['dashboardDataOrderMessage'])
      .to.be.a('string')
      .and.match(/^Failed while creating the Grafana dashboard: .*503/)
      .and.include(`removed Prometheus job ${serviceId}`)
      .and.include(`deleted dashboard(s) ${uid}`)
    // only the first attempt met the dashboard (its retries' create-only saves got the 503): the undo remembers it
    const unsure = (await failures(serviceId)).map((e) => (e.type === 'StepFailed' ? e.mayHaveChanged : undefined))
    expect(unsure[0]).to.equal('metrics')
    expect(unsure.at(-1)).to.equal(undefined)
    expect(dashboardsOf(serviceId)).to.deep.equal([])
    expect(jobNamesIn(ctx.harness.stack.scrapeConfigs())).not.to.include(serviceId)
  })

  it('a save refused with a status every time (nothing landed): FAILURE at once, no delete attempted', async () => {
    const serviceId = 'svc-unseen-refused'
    grafana().faults.add({ kind: 'dashboard.upsert', effect: { type: 'status', status: 503 } })
    const deletesBefore = grafana().requests.get('dashboard.delete') ?? 0
    const data = await answerTo(ctx.results, platformRequest(serviceId, ['hypo-refused']))
    grafana().faults.clear()
    expect(data['dashboardDataOrderStatus']).to.equal('FAILURE')
    expect(data['dashboardDataOrderMessage']).to.match(/503/).and.not.to.include('undone')
    expect((await failures(serviceId)).at(-1)).not.to.have.property('mayHaveChanged')
    expect(grafana().requests.get('dashboard.delete') ?? 0).to.equal(deletesBefore)
  })
})
