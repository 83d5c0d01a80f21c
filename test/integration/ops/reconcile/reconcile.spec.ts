import { secretOf } from '../../../support/secret-of.js'
import { expect } from 'chai'
import { isLeft } from 'fp-ts/lib/Either.js'
import { DEV_SECRET } from '../../../../dev/dev-stack.js'
import { OWNERSHIP_KEY, parseOwnedJobs, renderOwnedJobs } from '../../../../src/codecs/apis/owned-jobs.js'
import { dashboardModelOf } from '../../../../src/effects/desired-state.js'
import { Folders } from '../../../../src/effects/grafana/folders.js'
import { createGrafanaClient } from '../../../../src/effects/grafana/grafana-client.js'
import { createSecretClient, kubeConfigFrom } from '../../../../src/effects/kube/secret/kube-secret-client.js'
import { type JobChange } from '../../../../src/effects/prometheus/scrape-config-list.js'
import { applyEdits, findJob, parseScrapeConfigList, renderScrapeConfigList } from '../../../support/rendered-scrape-list.js'
import { federationJob, jobFingerprint } from '../../../../src/effects/prometheus/scrape-job.js'
import { createSecretWriter, type SecretWriter } from '../../../../src/effects/kube/secret/secret-writer.js'
import { inspectService } from '../../../../src/ops/log/inspect.js'
import { observeSecretJobs } from '../../../../src/ops/reconcile/jobs-in-place.js'
import { reconcile, reconcileExitCode, formatReconcile, reconcileJson, type ReconcileDeps } from '../../../../src/ops/reconcile/reconcile.js'
import { replayServices } from '../../../../src/ops/log/replay.js'
import { createEventStore } from '../../../../src/state/store/event-store.js'
import { createServiceLease } from '../../../../src/state/store/service-lease.js'
import { createOperatorLease } from '../../../../src/ops/operator-lease.js'
import { checkScrapeConfigsWithPromtool } from '../../../support/promtool.js'
import { writeLiveLog, type LiveLog } from '../../../support/live-log.js'

describe('ops/reconcile (live log, simulators)', function () {
  this.timeout(120_000)
  let live: LiveLog
  let deps: ReconcileDeps
  let writer: SecretWriter
  const services = ['svc-k1', 'svc-k2', 'svc-k3', 'svc-kd']
  const now = new Date('2030-01-01T00:00:00.000Z')

  const secretText = () => live.harness.stack.scrapeConfigs() ?? ''
  /** A hand edit of the list key only (as `kubectl edit` would): the ownership record stays, and a job put back is recorded as the service's own (left behind by it). */
  const editSecret = (edits: readonly JobChange[]) => {
    const parsed = parseScrapeConfigList(secretText())
    if (isLeft(parsed)) throw new Error(parsed.left.message)
    const owned = parseOwnedJobs(live.harness.stack.kube.secret(DEV_SECRET.namespace, DEV_SECRET.name)?.data[OWNERSHIP_KEY])
    if (isLeft(owned)) throw new Error(owned.left)
    const jobs = new Set(owned.right)
    for (const edit of edits) if (edit.op === 'upsert') jobs.add(edit.job.job_name)
    live.harness.stack.kube.setSecret(DEV_SECRET.namespace, DEV_SECRET.name, {
      [DEV_SECRET.key]: renderScrapeConfigList(applyEdits(parsed.right, edits)),
      [OWNERSHIP_KEY]: renderOwnedJobs(jobs),
    })
  }
  const jobIn = (name: string) => {
    const parsed = parseScrapeConfigList(secretText())
    if (isLeft(parsed)) throw new Error(parsed.left.message)
    return findJob(parsed.right, name)
  }
  const dashboards = () =>
    live.harness.stack.grafana
      .dashboards()
      .map((d) => ({ uid: d.uid, version: d.version }))
      .sort((a, b) => a.uid.localeCompare(b.uid))

  before(async () => {
    live = await writeLiveLog(['svc-k1', 'svc-k2', 'svc-k3'], ['svc-kd'])
    const config = live.harness.stack.config
    const secretClient = createSecretClient(kubeConfigFrom(config.kube.kubeconfigPath), secretOf(config))
    writer = createSecretWriter({ client: secretClient, describe: 'test secret' })
    deps = {
      store: createEventStore(live.redis, live.prefix),
      observeJobs: observeSecretJobs(secretClient),
      scrapeTargets: writer,
      grafana: createGrafanaClient({ baseUrl: config.grafana.url, auth: config.grafana.auth, retry: { retries: 1, timeoutMs: 2000 } }),
      datasources: { prometheusDatasourceUid: config.grafana.prometheusDatasourceUid, lokiDatasourceUid: config.grafana.lokiDatasourceUid },
      now: () => now,
      targetAllow: undefined,
      lease: createOperatorLease(createServiceLease(live.redis, live.prefix, 'reconcile-spec', 15_000), { waitMs: 15_000, pollMs: 100, renewMs: 5000 }),
    }
  })
  after(async () => {
    writer?.close()
    await live?.stop()
  })

  it('finds nothing on the log the service left (dry run: exit 0)', async () => {
    const report = await reconcile(deps, { serviceIds: services, dryRun: true })
    expect(report.drift).to.deep.equal([])
    expect(report.requestId).to.equal(null)
    expect(reconcileExitCode(report)).to.equal(0)
  })

  describe('with drift injected by hand', () => {
    let metricsUid: string
    before(async () => {
      metricsUid = (await deps.store.load('svc-k2')).dashboards.metrics?.uid ?? ''
      // job removed by hand, job edited by hand, job of a deleted service put back
      editSecret([
        { op: 'remove', jobName: 'svc-k1' },
        { op: 'upsert', job: federationJob({ serviceId: 'svc-k3', namespaces: ['other'], host: '10.1.1.1', port: 1 }) },
        { op: 'upsert', job: federationJob({ serviceId: 'svc-kd', namespaces: ['x'], host: '10.2.2.2', port: 2 }) },
      ])
      live.harness.stack.grafana.deleteDashboardDirect(metricsUid)
    })

    it('--dry-run reports every kind and changes nothing', async () => {
      const [secretBefore, dashboardsBefore, writesBefore] = [secretText(), dashboards(), live.harness.stack.kube.successfulWrites]
      const report = await reconcile(deps, { serviceIds: services, dryRun: true })
      expect(report.drift.map((d) => [d.kind, d.serviceId])).to.deep.equal([
        ['job-missing', 'svc-k1'],
        ['dashboard-missing', 'svc-k2'],
        ['job-different', 'svc-k3'],
        ['job-left-behind', 'svc-kd'],
      ])
      expect(reconcileExitCode(report), 'drift found: exit 2').to.equal(2)
      expect(formatReconcile(report)).to.match(/4 services checked: 4 drifts found, dry run, nothing changed$/)
      expect(secretText()).to.equal(secretBefore)
      expect(dashboards()).to.deep.equal(dashboardsBefore)
      expect(live.harness.stack.kube.successfulWrites).to.equal(writesBefore)
    })

    it('repairs the drift by the step effects, under one reconcile:<uuid> request id, and records the facts', async () => {
      const k1Before = await deps.store.load('svc-k1')
      const grafana = live.harness.stack.grafana
      const foldersCreated = grafana.requests.get('folder.create') ?? 0
      // Grafana answers "folder not found" once (the folder was deleted by hand): the service's
      // upsertDashboard$ forgets the folder, ensures it again and saves again; a repair of its own would fail here
      grafana.faults.add({ kind: 'dashboard.upsert', effect: { type: 'status', status: 400 }, times: 1 })
      const report = await reconcile(deps, { serviceIds: services, dryRun: false })
      grafana.faults.clear()
      expect(reconcileExitCode(report), formatReconcile(report)).to.equal(0)
      expect(grafana.faults.injected.get('dashboard.upsert')).to.equal(1)
      expect(grafana.requests.get('folder.create') ?? 0).to.be.greaterThan(foldersCreated)
      expect(report.requestId).to.match(/^reconcile:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
      expect(report.repairs.every((r) => r.recorded === true && r.outcomes.every((o) => o.ok))).to.equal(true)
      expect(reconcileJson(report).drift.map((d) => d.repair?.ok)).to.deep.equal([true, true, true, true])

      expect(jobFingerprint(jobIn('svc-k1'))).to.equal(k1Before.job?.fingerprint)
      expect(jobFingerprint(jobIn('svc-k3'))).to.equal((await deps.store.load('svc-k3')).job?.fingerprint)
      expect(jobIn('svc-kd')).to.equal(undefined)
      expect(dashboards().map((d) => d.uid)).to.include(metricsUid)
      const promtool = await checkScrapeConfigsWithPromtool(secretText())
      expect(promtool.ok, promtool.output).to.equal(true)

      // the facts are in the log, and the snapshots still equal the fold
      const k1 = await inspectService(deps.store, 'svc-k1')
      expect(k1?.timeline[k1.timeline.length - 1]).to.include({ type: 'ScrapeJobRegistered', requestId: report.requestId, at: now.toISOString() })
      expect(k1?.state.version).to.equal(k1Before.version + 1)
      const k2 = await deps.store.load('svc-k2')
      expect(k2.dashboards.metrics?.uid).to.equal(metricsUid)
      const k2Events = await deps.store.readEvents('svc-k2')
      expect(k2Events[k2Events.length - 1]?.event).to.include({ type: 'DashboardUpserted', role: 'metrics', requestId: report.requestId })
      expect((await replayServices(live, services, { write: false })).counts.identical).to.equal(4)

      const again = await reconcile(deps, { serviceIds: services, dryRun: true })
      expect(again.drift).to.deep.equal([])
      expect(reconcileExitCode(again)).to.equal(0)
    })

    it('deletes dashboards a deleted service left behind', async () => {
      const [first] = await deps.store.readEvents('svc-kd')
      if (first?.event.type !== 'RequestAccepted' || first.event.request.kind !== 'create') throw new Error('the log starts with the create request')
      const model = dashboardModelOf('metrics', first.event.request.payload, deps.datasources)
      await deps.grafana.ensureFolder(Folders.metrics.uid, Folders.metrics.title)
      const { uid } = await deps.grafana.upsertDashboard(model, Folders.metrics.uid, 'put back by hand', 'svc-kd')
      const report = await reconcile(deps, { serviceIds: ['svc-kd'], dryRun: false })
      expect(report.drift).to.deep.equal([{ kind: 'dashboard-left-behind', serviceId: 'svc-kd', uids: [uid] }])
      expect(report.repairs[0]?.outcomes[0]).to.include({ ok: true, detail: `deleted ${uid}` })
      expect(dashboards().map((d) => d.uid)).not.to.include(uid)
      expect((await reconcile(deps, { serviceIds: ['svc-kd'], dryRun: true })).drift).to.deep.equal([])
    })
  })
})
