/**
 * Grafana misbehaving, end to end: transient 503s and 429s are absorbed by the client's retries,
 * a Grafana that stays down past REQUEST_DEADLINE fails the request with a result naming the step, and a later request
 * for the same service finishes only what is missing (the "partial failure" contract).
 *
 * The simulator answers a duplicate folder create with 412 (as some Grafana versions do) for the
 * whole file, so every request after the first also proves that 412 counts as "exists".
 */
import { expect } from 'chai'
import { DEV_SECRET } from '../../../dev/dev-stack.js'
import { dashboardUid } from '../../../src/effects/dashboard-uids.js'
import { Folders } from '../../../src/effects/folders.js'
import { checkScrapeConfigsWithPromtool } from '../../support/promtool.js'
import { useHarness } from '../../support/harness-hooks.js'
import { createRequest, dataOf, jobNamesIn, publishRequests, resultOf } from '../../support/request-builders.js'

describe('Grafana failures end to end (partial failure contract)', function () {
  this.timeout(60_000)
  // a short REQUEST_DEADLINE: "down for good" is whatever outlasts it (the default waits 15 minutes)
  const ctx = useHarness({ harness: { grafana: { folderExistsStatus: 412 }, env: { REQUEST_DEADLINE: '4s', REQUEST_RETRY_BASE_DELAY: '1s', REQUEST_RETRY_MAX_DELAY: '2s' } } })
  afterEach(() => ctx.harness.stack.grafana.faults.clear())

  const grafana = () => ctx.harness.stack.grafana
  const retriesOf = (kind: string): number => ctx.harness.service?.grafana.retries.get(kind) ?? 0
  const dashboardsOf = (serviceId: string) => grafana().dashboards().filter((d) => d.uid === dashboardUid(serviceId, 'metrics') || d.uid === dashboardUid(serviceId, 'logs'))

  it('Grafana answering 503 twice to a dashboard save: retried, SUCCESS', async () => {
    grafana().faults.add({ kind: 'dashboard.upsert', effect: { type: 'status', status: 503 }, times: 2 })
    const retriesBefore = retriesOf('dashboard.upsert')
    const request = createRequest('svc-grafana-503')
    await publishRequests([request])
    const data = dataOf(await resultOf(ctx.results, request))
    expect(data).to.include({ serviceId: 'svc-grafana-503', dashboardDataOrderStatus: 'SUCCESS', dashboardId: dashboardUid('svc-grafana-503', 'metrics') })
    expect(grafana().faults.injected.get('dashboard.upsert')).to.equal(2)
    expect(retriesOf('dashboard.upsert') - retriesBefore).to.equal(2)
    expect(dashboardsOf('svc-grafana-503')).to.have.length(2)
  })

  it('429 with Retry-After on a dashboard save: the client waits as told, then SUCCESS', async () => {
    grafana().faults.add({ kind: 'dashboard.upsert', effect: { type: 'status', status: 429, retryAfterSeconds: 2 }, times: 1 })
    const retriesBefore = retriesOf('dashboard.upsert')
    const request = createRequest('svc-grafana-429')
    const started = Date.now()
    await publishRequests([request])
    const data = dataOf(await resultOf(ctx.results, request))
    expect(data['dashboardDataOrderStatus']).to.equal('SUCCESS')
    // the jittered backoff alone would wait at most 200 ms before the first retry
    expect(Date.now() - started).to.be.at.least(2000)
    expect(retriesOf('dashboard.upsert') - retriesBefore).to.equal(1)
    expect(dashboardsOf('svc-grafana-429')).to.have.length(2)
  })

  it('folder create answering 412 for an existing folder is confirmed by uid: SUCCESS, no duplicate folders', async () => {
    // a service remembers folders it confirmed: a fresh one (as after a restart) asks Grafana again
    await ctx.harness.stopService()
    await ctx.harness.startService()
    const folderGetsBefore = grafana().requests.get('folder.get') ?? 0
    const request = createRequest('svc-folder-412')
    await publishRequests([request])
    expect(dataOf(await resultOf(ctx.results, request))['dashboardDataOrderStatus']).to.equal('SUCCESS')
    expect((grafana().requests.get('folder.get') ?? 0) - folderGetsBefore).to.be.at.least(2)
    const titles = grafana().folders().map((f) => f.title)
    expect(new Set(titles).size).to.equal(titles.length)
    expect(titles).to.include.members([Folders.metrics.title, Folders.logs.title])
    expect(dashboardsOf('svc-folder-412').map((d) => d.folderUid).sort()).to.deep.equal([Folders.metrics.uid, Folders.logs.uid].sort())
  })

  it('Grafana down for good: FAILURE naming the step, job kept; once back, a new request completes only the missing steps', async () => {
    const serviceId = 'svc-grafana-down'
    grafana().faults.add({ kind: '*', effect: { type: 'status', status: 503 } })
    const first = createRequest(serviceId)
    await publishRequests([first])
    const failed = dataOf(await resultOf(ctx.results, first))
    expect(failed).to.include({ serviceId, dashboardDataOrderStatus: 'FAILURE', dashboardId: '', metricsDashboardUrl: '', logsDashboardUrl: '' })
    expect(failed['dashboardDataOrderMessage']).to.be.a('string').and.match(/creating the Grafana dashboard/).and.match(/503/)
    // the job was registered before Grafana was needed, and it is recorded as applied
    expect(jobNamesIn(ctx.harness.stack.scrapeConfigs())).to.include(serviceId)
    const state = await ctx.harness.service?.store.load(serviceId)
    expect(state?.job?.jobName).to.equal(serviceId)
    expect(dashboardsOf(serviceId)).to.deep.equal([])

    grafana().faults.clear()
    const writesBefore = ctx.harness.stack.kube.successfulWrites
    const secretBefore = ctx.harness.stack.kube.secret(DEV_SECRET.namespace, DEV_SECRET.name)?.resourceVersion
    const retry = createRequest(serviceId)
    await publishRequests([retry])
    const done = dataOf(await resultOf(ctx.results, retry))
    expect(done).to.include({ serviceId, dashboardDataOrderStatus: 'SUCCESS', dashboardId: dashboardUid(serviceId, 'metrics') })
    expect(done['metricsDashboardUrl']).to.match(/^http:\/\/grafana\.local:3000\/d\//)
    expect(done['logsDashboardUrl']).to.match(/^http:\/\/grafana\.local:3000\/d\//)
    expect(ctx.harness.stack.kube.successfulWrites).to.equal(writesBefore)
    expect(ctx.harness.stack.kube.secret(DEV_SECRET.namespace, DEV_SECRET.name)?.resourceVersion).to.equal(secretBefore)
    expect(dashboardsOf(serviceId)).to.have.length(2)
    const promtool = await checkScrapeConfigsWithPromtool(ctx.harness.stack.scrapeConfigs() ?? '')
    expect(promtool.ok, promtool.output).to.equal(true)
  })
})
