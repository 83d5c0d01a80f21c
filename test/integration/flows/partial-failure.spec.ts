/**
 * Grafana misbehaving, end to end: transient 503s and 429s are absorbed by the client's retries,
 * a Grafana that stays down past REQUEST_DEADLINE (or refuses for good, 403) fails the request
 * with a result naming the step, and the request is all or nothing: the job it registered and
 * the dashboards it saved are taken back first (an update gets its previous job and dashboards
 * back), each undo outcome an event; when the undo itself fails for good the FAILURE says what
 * stayed. A later request for the same service then does the whole create again.
 *
 * The simulator answers a duplicate folder create with 412 (as some Grafana versions do) for the
 * whole file, so every request after the first also proves that 412 counts as "exists".
 */
import { expect } from 'chai'
import { dashboardUid } from '../../../src/effects/grafana/dashboard-uids.js'
import { Folders } from '../../../src/effects/grafana/folders.js'
import { formatInspection, inspectService } from '../../../src/ops/log/inspect.js'
import { STILL_IN_PLACE } from '../../../src/state/decide.js'
import { checkScrapeConfigsWithPromtool } from '../../support/promtool.js'
import { useHarness } from '../../support/harness-hooks.js'
import { answerTo, createRequest, jobNamesIn, jobsIn } from '../../support/request-builders.js'
import { metricTotal } from '../../support/metric-values.js'

/** The answer of a create that failed and whose undo left nothing of it: no dashboard to link. */
const FAILED_WITH_NOTHING_IN_PLACE = { dashboardDataOrderStatus: 'FAILURE', dashboardId: '', metricsDashboardUrl: '', logsDashboardUrl: '' }

describe('Grafana failures end to end (partial failure contract)', function () {
  this.timeout(60_000)
  // a short REQUEST_DEADLINE: "down for good" is whatever outlasts it (the default waits 15 minutes)
  const ctx = useHarness({
    harness: { grafana: { folderExistsStatus: 412 }, env: { REQUEST_DEADLINE: '4s', REQUEST_RETRY_BASE_DELAY: '1s', REQUEST_RETRY_MAX_DELAY: '2s' } },
  })
  afterEach(() => ctx.harness.stack.grafana.faults.clear())

  const grafana = () => ctx.harness.stack.grafana
  const retriesOf = (operation: string): Promise<number> => metricTotal(ctx.harness.service, 'telemetry_grafana_retries_total', { operation })
  const dashboardsOf = (serviceId: string) =>
    grafana()
      .dashboards()
      .filter((d) => d.uid === dashboardUid(serviceId, 'metrics') || d.uid === dashboardUid(serviceId, 'logs'))

  it('Grafana answering 503 twice to a dashboard save: retried, SUCCESS', async () => {
    grafana().faults.add({ kind: 'dashboard.upsert', effect: { type: 'status', status: 503 }, times: 2 })
    const retriesBefore = await retriesOf('dashboard.upsert')
    const request = createRequest('svc-grafana-503')
    const data = await answerTo(ctx.results, request)
    expect(data).to.include({ serviceId: 'svc-grafana-503', dashboardDataOrderStatus: 'SUCCESS', dashboardId: dashboardUid('svc-grafana-503', 'metrics') })
    expect(grafana().faults.injected.get('dashboard.upsert')).to.equal(2)
    expect((await retriesOf('dashboard.upsert')) - retriesBefore).to.equal(2)
    expect(dashboardsOf('svc-grafana-503')).to.have.length(2)
  })

  it('429 with Retry-After on a dashboard save: the client waits as told, then SUCCESS', async () => {
    grafana().faults.add({ kind: 'dashboard.upsert', effect: { type: 'status', status: 429, retryAfterSeconds: 2 }, times: 1 })
    const retriesBefore = await retriesOf('dashboard.upsert')
    const request = createRequest('svc-grafana-429')
    const started = Date.now()
    const data = await answerTo(ctx.results, request)
    expect(data['dashboardDataOrderStatus']).to.equal('SUCCESS')
    // the jittered backoff alone would wait at most 200 ms before the first retry
    expect(Date.now() - started).to.be.at.least(2000)
    expect((await retriesOf('dashboard.upsert')) - retriesBefore).to.equal(1)
    expect(dashboardsOf('svc-grafana-429')).to.have.length(2)
  })

  it('folder create answering 412 for an existing folder is confirmed by uid: SUCCESS, no duplicate folders', async () => {
    // a service remembers folders it confirmed: a fresh one (as after a restart) asks Grafana again
    await ctx.harness.stopService()
    await ctx.harness.startService()
    const folderGetsBefore = grafana().requests.get('folder.get') ?? 0
    const request = createRequest('svc-folder-412')
    expect((await answerTo(ctx.results, request))['dashboardDataOrderStatus']).to.equal('SUCCESS')
    expect((grafana().requests.get('folder.get') ?? 0) - folderGetsBefore).to.be.at.least(2)
    const titles = grafana()
      .folders()
      .map((f) => f.title)
    expect(new Set(titles).size).to.equal(titles.length)
    expect(titles).to.include.members([Folders.metrics.title, Folders.logs.title])
    expect(
      dashboardsOf('svc-folder-412')
        .map((d) => d.folderUid)
        .sort(),
    ).to.deep.equal([Folders.metrics.uid, Folders.logs.uid].sort())
  })

  /** The secret's job of `serviceId`, parsed (undefined when absent). */
  const jobOf = (serviceId: string) => jobsIn(ctx.harness.stack.scrapeConfigs()).find((j) => j.job_name === serviceId)
  const eventTypesOf = async (serviceId: string) => (await ctx.harness.store.readEvents(serviceId))?.map((e) => e.event.type) ?? []
  /** `expected` occur in `types` in this order (other events may come between) */
  const inOrder = (types: readonly string[], expected: readonly string[]): boolean =>
    expected.every(
      (
        (from) => (type: string) =>
          (from = types.indexOf(type, from) + 1) > 0
      )(0),
    )

  it('Grafana down for good: FAILURE naming the step, the job it registered removed again; once back, a new request does the whole create', async () => {
    const serviceId = 'svc-grafana-down'
    grafana().faults.add({ kind: '*', effect: { type: 'status', status: 503 } })
    const first = createRequest(serviceId)
    const failed = await answerTo(ctx.results, first)
    expect(failed).to.include({ serviceId, ...FAILED_WITH_NOTHING_IN_PLACE })
    expect(failed['dashboardDataOrderMessage'])
      .to.be.a('string')
      .and.match(/creating the Grafana dashboard/)
      .and.match(/503/)
      .and.include(`undone: removed Prometheus job ${serviceId}`)
    // all or nothing: the job registered before Grafana was needed is gone again, and the log says so
    expect(jobNamesIn(ctx.harness.stack.scrapeConfigs())).not.to.include(serviceId)
    const state = await ctx.harness.store.load(serviceId)
    expect(state?.job).to.equal(null)
    expect(state?.status).to.equal('failed')
    const types = await eventTypesOf(serviceId)
    expect(inOrder(types, ['RequestAccepted', 'ScrapeJobRegistered', 'StepFailed', 'ScrapeJobRemoved', 'RequestCompleted']), types.join(' ')).to.equal(true)
    expect(dashboardsOf(serviceId)).to.deep.equal([])

    grafana().faults.clear()
    const writesBefore = ctx.harness.stack.kube.successfulWrites
    const retry = createRequest(serviceId)
    const done = await answerTo(ctx.results, retry)
    expect(done).to.include({ serviceId, dashboardDataOrderStatus: 'SUCCESS', dashboardId: dashboardUid(serviceId, 'metrics') })
    expect(done['metricsDashboardUrl']).to.match(/^http:\/\/grafana\.local:3000\/d\//)
    expect(done['logsDashboardUrl']).to.match(/^http:\/\/grafana\.local:3000\/d\//)
    expect(ctx.harness.stack.kube.successfulWrites).to.be.above(writesBefore)
    expect(jobNamesIn(ctx.harness.stack.scrapeConfigs())).to.include(serviceId)
    expect(dashboardsOf(serviceId)).to.have.length(2)
    const promtool = await checkScrapeConfigsWithPromtool(ctx.harness.stack.scrapeConfigs() ?? '')
    expect(promtool.ok, promtool.output).to.equal(true)
  })

  it('logs dashboard refused for good (403) after the metrics one was saved: both taken back, job removed, FAILURE once undone', async () => {
    const serviceId = 'svc-grafana-403'
    // the first save (metrics) goes through, every later one is refused as a folder permission change would
    grafana().faults.add({ kind: 'dashboard.upsert', times: 1 })
    grafana().faults.add({ kind: 'dashboard.upsert', effect: { type: 'status', status: 403 } })
    const refusedBefore = grafana().faults.injected.get('dashboard.upsert') ?? 0
    const request = createRequest(serviceId)
    const data = await answerTo(ctx.results, request)
    expect(data).to.include({ serviceId, ...FAILED_WITH_NOTHING_IN_PLACE })
    expect(data['dashboardDataOrderMessage'])
      .to.be.a('string')
      .and.match(/^Failed while creating the Grafana dashboard: .*403/)
      .and.include(`undone: deleted dashboard(s) ${dashboardUid(serviceId, 'metrics')}, removed Prometheus job ${serviceId}`)
    // a 403 is not retried
    expect((grafana().faults.injected.get('dashboard.upsert') ?? 0) - refusedBefore).to.equal(1)
    expect(dashboardsOf(serviceId)).to.deep.equal([])
    expect(jobNamesIn(ctx.harness.stack.scrapeConfigs())).not.to.include(serviceId)
    const types = await eventTypesOf(serviceId)
    expect(
      inOrder(types, ['ScrapeJobRegistered', 'DashboardUpserted', 'StepFailed', 'DashboardsDeleted', 'ScrapeJobRemoved', 'RequestCompleted']),
      types.join(' '),
    ).to.equal(true)
  })

  it('an update that fails for good gets the job and dashboards from before the request back, from what the log recorded', async () => {
    const serviceId = 'svc-update-undone'
    const original = createRequest(serviceId, ['NS_BEFORE'])
    expect((await answerTo(ctx.results, original))['dashboardDataOrderStatus']).to.equal('SUCCESS')
    const jobBefore = jobOf(serviceId)
    const metricsBefore = dashboardsOf(serviceId).find((d) => d.uid === dashboardUid(serviceId, 'metrics'))
    expect(JSON.stringify(jobBefore)).to.include('NS_BEFORE')

    grafana().faults.add({ kind: 'dashboard.upsert', times: 1 })
    grafana().faults.add({ kind: 'dashboard.upsert', effect: { type: 'status', status: 403 }, times: 1 })
    const update = createRequest(serviceId, ['NS_AFTER'])
    const data = await answerTo(ctx.results, update)
    expect(data['dashboardDataOrderStatus']).to.equal('FAILURE')
    expect(data['dashboardDataOrderMessage'])
      .to.be.a('string')
      .and.include(`restored dashboard ${dashboardUid(serviceId, 'metrics')} as it was before`)
      .and.include(`restored Prometheus job ${serviceId} as it was before`)
    // the FAILURE result still links the dashboards that are in place (the ones from before)
    expect(data['dashboardId']).to.equal(dashboardUid(serviceId, 'metrics'))
    expect(jobOf(serviceId)).to.deep.equal(jobBefore)
    const metricsAfter = dashboardsOf(serviceId).find((d) => d.uid === dashboardUid(serviceId, 'metrics'))
    expect(JSON.stringify(metricsAfter?.model)).to.include('NS_BEFORE').and.not.include('NS_AFTER')
    expect(JSON.stringify(metricsAfter?.model.panels)).to.equal(JSON.stringify(metricsBefore?.model.panels))
    const promtool = await checkScrapeConfigsWithPromtool(ctx.harness.stack.scrapeConfigs() ?? '')
    expect(promtool.ok, promtool.output).to.equal(true)
  })

  it('an undo that fails for good: FAILURE names what is still in place, and inspect shows the undo', async () => {
    const serviceId = 'svc-undo-fails'
    grafana().faults.add({ kind: 'dashboard.upsert', effect: { type: 'status', status: 403 } })
    // the job goes in with the first write; every later secret write is refused (RBAC changed meanwhile)
    ctx.harness.stack.kube.faults.add({ kind: 'secret.put', times: 1 })
    ctx.harness.stack.kube.faults.add({ kind: 'secret.put', effect: { type: 'status', status: 403 } })
    try {
      const request = createRequest(serviceId)
      const data = await answerTo(ctx.results, request)
      expect(data['dashboardDataOrderStatus']).to.equal('FAILURE')
      expect(data['dashboardDataOrderMessage'])
        .to.be.a('string')
        .and.match(/^Failed while creating the Grafana dashboard: .*403/)
        .and.include('undo failed while removing the Prometheus scrape job')
        .and.include(`${STILL_IN_PLACE} Prometheus job ${serviceId}`)
      expect(jobNamesIn(ctx.harness.stack.scrapeConfigs())).to.include(serviceId)
      const store = ctx.harness.store
      const inspection = store === undefined ? undefined : await inspectService(store, serviceId)
      const text = inspection === undefined ? '' : formatInspection(inspection)
      expect(text)
        .to.match(/StepFailed .*upsertDashboard: .*403/)
        .and.match(/StepFailed .*removeJob: /)
      expect(inspection?.state.job?.jobName).to.equal(serviceId)
    } finally {
      ctx.harness.stack.kube.faults.clear()
    }
  })
})
