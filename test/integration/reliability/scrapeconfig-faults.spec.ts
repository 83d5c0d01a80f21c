/**
 * The ScrapeConfig backend under faults and volume: injected 409s, 429s with Retry-After, 5xx on
 * reads and applies, slow answers, and another team creating and editing its own ScrapeConfigs in
 * the same namespace all along. Requests that failed are re-sent after the faults end, as SONATA
 * would, and the end state must be exact: one object per live service, as the service wrote it,
 * none for a deleted one, the other team's objects untouched. The objects are turned back into
 * the equivalent scrape list so the same invariants (and promtool) judge both backends.
 */
import { expect } from 'chai'
import { dump } from '../../support/yaml.js'
import { DEV_SCRAPE_CONFIG } from '../../../dev/dev-stack.js'
import { faultCounts } from './figures.js'
import { finishScenario, mixedRequests, publishBesideCompetitor, resendFailed, type SentRequest } from './scenario.js'
import { useHarness } from '../../support/harness-hooks.js'

type Wire = { metadata: { name: string; labels?: Record<string, string> }; spec: Record<string, unknown> }
type Relabel = { action: string; targetLabel?: string; replacement?: string }

/** A ScrapeConfig's spec in Prometheus' own scrape_config words (what the operator renders from it). */
const asScrapeJob = (o: Wire): Record<string, unknown> => ({
  job_name: o.spec['jobName'],
  honor_labels: o.spec['honorLabels'],
  metrics_path: o.spec['metricsPath'],
  params: o.spec['params'],
  static_configs: o.spec['staticConfigs'],
  metric_relabel_configs: (o.spec['metricRelabelings'] as Relabel[] | undefined)?.map((r) => ({
    action: r.action,
    target_label: r.targetLabel,
    replacement: r.replacement,
  })),
})

const isOwn = (o: Wire) => o.metadata.labels?.['app.kubernetes.io/managed-by'] === 'telemetry-client'

describe('reliability: ScrapeConfig backend faults under load', function () {
  this.timeout(180_000)

  const ctx = useHarness({ harness: { env: { SCRAPE_CONFIG_BACKEND: 'scrapeconfig' } } })
  afterEach(() => ctx.harness.stack.kube.faults.clear())

  const kube = () => ctx.harness.stack.kube
  const objects = () => ctx.harness.stack.scrapeConfigObjects() as unknown as Wire[]

  const resend = (requests: readonly SentRequest[]) => resendFailed(ctx.results, requests)

  it('409/429/5xx and another team writing its own objects on 290 requests: exact end state', async () => {
    const startedAt = Date.now()
    kube().faults.add({ kind: 'scrapeconfig.patch', effect: { type: 'status', status: 429, retryAfterSeconds: 1 }, times: 5, probability: 0.2 })
    kube().faults.add({ kind: 'scrapeconfig.patch', effect: { type: 'status', status: 409 }, probability: 0.2 })
    kube().faults.add({ kind: 'scrapeconfig.patch', effect: { type: 'status', status: 503 }, probability: 0.1 })
    kube().faults.add({ kind: 'scrapeconfig.get', effect: { type: 'status', status: 500 }, probability: 0.1 })
    kube().faults.add({ kind: 'scrapeconfig.delete', effect: { type: 'status', status: 503 }, probability: 0.2 })
    kube().faults.add({ kind: '*', latencyMs: 5, probability: 0.5 })
    let otherWrites = 0
    const writeOtherObject = (): void => {
      const n = otherWrites % 20
      kube().setScrapeConfig(DEV_SCRAPE_CONFIG.namespace, {
        apiVersion: 'monitoring.coreos.com/v1alpha1',
        kind: 'ScrapeConfig',
        metadata: { name: `other-team-${n}`, labels: { team: 'other', release: 'prometheus' } },
        spec: { jobName: `other-team-${n}`, staticConfigs: [{ targets: [`10.0.1.${n + 1}:9100`] }], scrapeInterval: `${30 + otherWrites}s` },
      })
      otherWrites += 1
    }
    const requests = mixedRequests('scf', 200, { deleteEvery: 4, recreateEvery: 5 })
    await publishBesideCompetitor(ctx.results, requests, () => {
      if (otherWrites < 60) writeOtherObject()
    })
    const injected = faultCounts({ kube: kube().faults }, { 'other-team:setScrapeConfig': otherWrites })
    kube().faults.clear()
    const again = await resend(requests)
    const own = objects().filter(isOwn)
    const others = objects().filter((o) => !isOwn(o))
    await finishScenario(
      "Kubernetes (ScrapeConfig backend): another team's objects + 409/429/5xx",
      {
        requests: [...requests, ...again],
        results: ctx.results.messages,
        scrapeConfigs: dump(own.map(asScrapeJob)),
        dashboards: ctx.harness.stack.grafana.dashboards(),
      },
      {
        startedAt,
        faults: injected,
        notes: `${again.length} re-sent after FAILURE; ${own.length} own objects, ${others.length} of the other team's (untouched: ${String(others.every((o) => o.metadata.labels?.['team'] === 'other'))})`,
      },
    )
    expect(others).to.have.length(20)
    for (const o of others) expect(o.spec['jobName']).to.equal(o.metadata.name)
  })
})
