/**
 * The scrape-config secret under combined faults and volume: a competing writer editing the same
 * secret every few milliseconds (its jobs must survive, ours too) on top of injected 409s, 429s
 * and 5xx; the secret deleted mid-run (those requests FAIL, nothing recreates it with partial
 * content); the key holding invalid YAML mid-run (FAIL, the key is never touched). Requests that
 * failed are re-sent after the fault ends, as SONATA would, and the end state must be exact.
 */
import { expect } from 'chai'
import { dump } from '../../support/yaml.js'
import { DEV_SECRET } from '../../../dev/dev-stack.js'
import { jobsOf, resultsByRef, statusOf, type ScrapeJob } from '../../support/invariants.js'
import { faultCounts } from './figures.js'
import { sleep } from '../../support/wait.js'
import { createRequest } from '../../support/request-builders.js'
import { awaitOutcomes, finishScenario, mixedRequests, publishAll, publishBesideCompetitor, resendFailed, type SentRequest } from './scenario.js'
import { useHarness } from '../../support/harness-hooks.js'
import { metricTotal } from '../../support/metric-values.js'

const { namespace, name, key } = DEV_SECRET

describe('reliability: Kubernetes secret faults under load', function () {
  this.timeout(180_000)
  const foreignJobs: ScrapeJob[] = []

  const ctx = useHarness()
  afterEach(() => ctx.harness.stack.kube.faults.clear())

  const kube = () => ctx.harness.stack.kube
  const secretText = () => kube().secret(namespace, name)?.data[key]
  /** jobs of earlier tests in this file are out of the current scenario's scope */
  const otherScope = (prefix: string) => (job: string) => !job.startsWith(`${prefix}-`) && !foreignJobs.some((f) => f.job_name === job)

  const resend = (requests: readonly SentRequest[]) => resendFailed(ctx.results, requests)

  it('a competing writer plus injected 409/429/5xx on 290 requests: both writers keep every job', async () => {
    const startedAt = Date.now()
    const conflictsBefore = await metricTotal(ctx.harness.service, 'telemetry_secret_conflicts_total')
    kube().faults.add({ kind: 'secret.put', effect: { type: 'status', status: 429, retryAfterSeconds: 1 }, times: 5, probability: 0.2 })
    kube().faults.add({ kind: 'secret.put', effect: { type: 'status', status: 409 }, probability: 0.4 })
    kube().faults.add({ kind: 'secret.put', effect: { type: 'status', status: 503 }, probability: 0.1 })
    kube().faults.add({ kind: 'secret.get', effect: { type: 'status', status: 500 }, probability: 0.1 })
    kube().faults.add({ kind: '*', latencyMs: 5, probability: 0.5 })
    let otherWrites = 0
    // The other writer reads the current value and writes it back with one more job of its own,
    // unconditionally (as `kubectl apply` of the whole secret would; apply keeps the keys it never
    // set, such as the service's ownership record).
    const writeOtherJob = (): void => {
      const job: ScrapeJob = { job_name: `other-writer-${foreignJobs.length}`, static_configs: [{ targets: [`10.0.0.${foreignJobs.length + 1}:9100`] }] }
      kube().setSecret(namespace, name, { ...kube().secret(namespace, name)?.data, [key]: dump([...jobsOf(secretText()), job]) })
      foreignJobs.push(job)
      otherWrites += 1
    }
    const requests = mixedRequests('kf', 200, { deleteEvery: 4, recreateEvery: 5 })
    // After its first 10 writes the other writer waits for one of the service's, then writes
    // in between: the service's next PUT then carries a stale resourceVersion however the run is
    // timed (a free-running writer could finish before the service's first write, leaving no conflict).
    let serviceWritesSeen = -1
    await publishBesideCompetitor(ctx.results, requests, () => {
      const serviceWrites = kube().successfulWrites
      if (otherWrites >= 60 || (otherWrites >= 10 && serviceWrites === serviceWritesSeen)) return
      serviceWritesSeen = serviceWrites
      writeOtherJob()
    })
    const injected = faultCounts({ kube: kube().faults }, { 'other-writer:setSecret': otherWrites })
    kube().faults.clear()
    const again = await resend(requests)
    const conflicts = (await metricTotal(ctx.harness.service, 'telemetry_secret_conflicts_total')) - conflictsBefore
    await finishScenario(
      'Kubernetes: competing writer + 409/429/5xx',
      {
        requests: [...requests, ...again],
        results: ctx.results.messages,
        scrapeConfigs: secretText(),
        dashboards: ctx.harness.stack.grafana.dashboards(),
        foreignJobs,
        ignoreJob: otherScope('kf'),
      },
      {
        startedAt,
        faults: injected,
        notes: `${conflicts} write conflicts re-applied; ${again.length} re-sent after FAILURE; ${kube().successfulWrites} secret writes; max concurrent writes ${kube().maxConcurrentWrites}`,
      },
    )
    expect(conflicts).to.be.greaterThan(0)
    expect(kube().maxConcurrentWrites).to.equal(1)
  })

  it('the secret deleted mid-run: FAILUREs, never recreated with partial content, exact after repair', async () => {
    const startedAt = Date.now()
    const requests = Array.from({ length: 150 }, (_, i) => createRequest(`sd-${i}`, [`ns-${i}`]))
    await publishAll(requests.slice(0, 50), { gapMs: 5 })
    await awaitOutcomes(ctx.results, requests.slice(0, 50))
    const saved = secretText() ?? ''
    const savedKeys = kube().secret(namespace, name)?.data // restored from a backup of the whole object
    kube().deleteSecret(namespace, name)
    let recreated = false
    const watch = setInterval(() => (recreated ||= kube().secret(namespace, name) !== undefined), 5)
    try {
      await publishAll(requests.slice(50, 100), { gapMs: 5 })
      await awaitOutcomes(ctx.results, requests.slice(50, 100))
    } finally {
      clearInterval(watch)
    }
    kube().setSecret(namespace, name, { ...savedKeys, [key]: saved })
    await publishAll(requests.slice(100), { gapMs: 5 })
    await awaitOutcomes(ctx.results, requests.slice(100))
    const byRef = resultsByRef(ctx.results.messages)
    const failedDuringGap = requests.slice(50, 100).filter((r) => {
      const first = byRef.get(r.kogitoprocinstanceid)?.[0]
      return first !== undefined && statusOf(first) === 'FAILURE'
    }).length
    const again = await resend(requests)
    await finishScenario(
      'Kubernetes: secret deleted mid-run',
      {
        requests: [...requests, ...again],
        results: ctx.results.messages,
        scrapeConfigs: secretText(),
        dashboards: ctx.harness.stack.grafana.dashboards(),
        foreignJobs,
        ignoreJob: otherScope('sd'),
      },
      {
        startedAt,
        faults: { 'kube:secret deleted (50 requests)': 1 },
        notes: `${failedDuringGap} of 50 requests during the gap FAILED; recreated during the gap: ${recreated}; ${again.length} re-sent`,
      },
    )
    expect(recreated, 'the service recreated the deleted secret').to.equal(false)
    expect(failedDuringGap).to.equal(50)
  })

  it('the key holding invalid YAML mid-run: FAILUREs, the key untouched, exact after repair', async () => {
    const startedAt = Date.now()
    const requests = Array.from({ length: 100 }, (_, i) => createRequest(`iy-${i}`, [`ns-${i}`]))
    const saved = secretText() ?? ''
    const broken = `${saved}- job_name: hand-edited\n  static_configs: [{targets: ['10.1.1.1:9100']\n`
    kube().setSecret(namespace, name, { ...kube().secret(namespace, name)?.data, [key]: broken })
    const version = kube().secret(namespace, name)?.resourceVersion
    await publishAll(requests.slice(0, 50), { gapMs: 5 })
    await awaitOutcomes(ctx.results, requests.slice(0, 50))
    const untouched = secretText() === broken && kube().secret(namespace, name)?.resourceVersion === version
    kube().setSecret(namespace, name, { ...kube().secret(namespace, name)?.data, [key]: saved })
    await sleep(10)
    await publishAll(requests.slice(50), { gapMs: 5 })
    await awaitOutcomes(ctx.results, requests.slice(50))
    const again = await resend(requests)
    await finishScenario(
      'Kubernetes: invalid YAML in the key mid-run',
      {
        requests: [...requests, ...again],
        results: ctx.results.messages,
        scrapeConfigs: secretText(),
        dashboards: ctx.harness.stack.grafana.dashboards(),
        foreignJobs,
        ignoreJob: otherScope('iy'),
      },
      { startedAt, faults: { 'kube:invalid YAML (50 requests)': 1 }, notes: `key untouched while broken: ${untouched}; ${again.length} re-sent` },
    )
    expect(untouched, 'the service wrote over a key it could not parse').to.equal(true)
    expect(again.length).to.equal(50)
  })
})
