/**
 * Grafana misbehaving in every way at once while hundreds of creates, deletes and re-creates run:
 * 5xx bursts, 429 with Retry-After, hung requests (client timeout), slow answers, and the folder
 * create race (64 lanes ensure the same two folders at once; this Grafana answers 412 for
 * "exists", the other flavour). A request whose Grafana call exhausted its retries ends FAILURE
 * (that is the contract); SONATA's retry is modelled by re-sending it once the faults stop, and
 * the end state must then be exact.
 */
import { expect } from 'chai'
import { resultsByRef, statusOf } from '../../support/invariants.js'
import { faultCounts } from './figures.js'
import { createRequest, deleteRequest } from '../../support/request-builders.js'
import { awaitOutcomes, finishScenario, mixedRequests, publishAll, type SentRequest } from './scenario.js'
import { useHarness } from '../../support/harness-hooks.js'
import { sleep } from '../../support/wait.js'

describe('reliability: Grafana faults under load', function () {
  this.timeout(180_000)

  const ctx = useHarness({ harness: { grafana: { folderExistsStatus: 412 }, env: { GRAFANA_TIMEOUT_MS: '1500', GRAFANA_RETRIES: '3' } } })

  it('290 requests through 5xx bursts, 429 + Retry-After, timeouts, slow answers and folder races: exact end state', async () => {
    const startedAt = Date.now()
    const { faults } = ctx.harness.stack.grafana
    faults.add({ kind: 'dashboard.upsert', effect: { type: 'status', status: 429, retryAfterSeconds: 1 }, times: 20, probability: 0.2 })
    faults.add({ kind: '*', effect: { type: 'hang' }, times: 15, probability: 0.02 })
    faults.add({ kind: 'dashboard.upsert', effect: { type: 'status', status: 503 }, probability: 0.15 })
    faults.add({ kind: 'folder.create', effect: { type: 'status', status: 502 }, probability: 0.1 })
    faults.add({ kind: 'search', effect: { type: 'status', status: 500 }, probability: 0.15 })
    faults.add({ kind: 'dashboard.delete', effect: { type: 'status', status: 504 }, probability: 0.15 })
    // slow, but well inside the client timeout: a request that lands AFTER the client gave up is
    // the (skipped) bug case below, not what this scenario checks
    faults.add({ kind: '*', latencyMs: 40, probability: 0.3 })

    const requests = mixedRequests('gf', 200, { deleteEvery: 4, recreateEvery: 5 })
    await publishAll(requests, { gapMs: 5 })
    await awaitOutcomes(ctx.results, requests, 120_000)
    const injected = faultCounts({ grafana: faults })
    faults.clear()

    // SONATA retries what failed: the LAST request of each service that saw a FAILURE, re-sent with new ids
    const byRef = resultsByRef(ctx.results.messages)
    const lastOf = new Map<string, SentRequest>()
    for (const r of requests) lastOf.set(String(r.data['serviceId']), r)
    const failedServices = new Set(
      requests
        .filter((r) => {
          const first = byRef.get(r.kogitoprocinstanceid)?.[0]
          return first !== undefined && statusOf(first) === 'FAILURE'
        })
        .map((r) => String(r.data['serviceId'])),
    )
    const retries: readonly SentRequest[] = [...failedServices].map((id) => {
      const last = lastOf.get(id) as SentRequest
      return last.data['prometheus'] === undefined
        ? deleteRequest(id)
        : createRequest(id, last.data['namespaces'] as string[], (last.data['prometheus'] as { port: number }).port)
    })
    await publishAll(retries, { gapMs: 5 })
    await awaitOutcomes(ctx.results, retries, 60_000)
    const all = [...requests, ...retries]

    await finishScenario(
      'Grafana: 5xx bursts, 429 Retry-After, timeouts, slow, folder-create race (412)',
      {
        requests: all,
        results: ctx.results.messages,
        scrapeConfigs: ctx.harness.stack.scrapeConfigs(),
        dashboards: ctx.harness.stack.grafana.dashboards(),
        expectStatus: (r) => (retries.includes(r) ? 'SUCCESS' : 'ANY'),
      },
      {
        startedAt,
        faults: injected,
        notes: `${failedServices.size} services failed once (retries exhausted) and were re-sent; folder.create requests ${ctx.harness.stack.grafana.requests.get('folder.create') ?? 0}`,
      },
    )
    // the folder-create race left exactly the two folders, once each
    expect(
      ctx.harness.stack.grafana
        .folders()
        .map((f) => f.uid)
        .sort(),
    ).to.deep.equal(['etsi-hypo-app-metrics', 'etsi-hypo-end-user-service-logs'])
  })

  // A dashboard POST that timed out on the client side but is still processed by Grafana
  // afterwards must not land after the service's later delete and resurrect the dashboard: the
  // client remembers timed-out writes and the steps re-apply theirs once those can no longer land.
  it('a timed-out dashboard POST that lands late does not resurrect a deleted dashboard', async () => {
    const { faults } = ctx.harness.stack.grafana
    // the first upsert of this service is answered only after 3 s; the client gives up at 1.5 s and retries
    faults.add({ kind: 'dashboard.upsert', latencyMs: 3000, times: 1 })
    const create = createRequest('gf-late-post', ['NAMESPACE_1', 'ns.b'])
    await publishAll([create])
    await awaitOutcomes(ctx.results, [create], 20_000)
    const remove = deleteRequest('gf-late-post')
    await publishAll([remove])
    await awaitOutcomes(ctx.results, [remove], 20_000)
    await sleep(3500) // the late POST has landed by now
    faults.clear()
    expect(
      ctx.harness.stack.grafana
        .dashboards()
        .filter((d) => d.uid.endsWith('gf-late-post'))
        .map((d) => d.uid),
    ).to.deep.equal([])
  })
})
