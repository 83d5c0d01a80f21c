import { expect } from 'chai'
import { useHarness } from '../../support/harness-hooks.js'
import { createRequest, dataOf, publishRequests, resultOf } from '../../support/request-builders.js'
import { faultCounts, recordFigures } from '../reliability/figures.js'
import { sleep } from '../../support/wait.js'

/** Scrapes /metrics of the running service and returns one sample's value. */
const metricValue = async (url: string, sample: string): Promise<number | undefined> => {
  const text = await (await fetch(`${url}/metrics`)).text()
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `))
  return line === undefined ? undefined : Number(line.slice(sample.length + 1))
}

describe('patience with transient faults (Kafka → Redis → simulators → Kafka)', function () {
  this.timeout(120_000)
  // short client-side retries, so the outage outlasts them and the request-level patience is what is tested
  const ctx = useHarness({
    harness: { env: { GRAFANA_RETRIES: '1', GRAFANA_TIMEOUT_MS: '1000', REQUEST_RETRY_BASE_DELAY: '1s', REQUEST_RETRY_MAX_DELAY: '4s' } },
  })

  it('Grafana answers 503 for ~20 s: the create waits it out and ends SUCCESS; /readyz and /metrics show it waiting meanwhile', async () => {
    const { faults } = ctx.harness.stack.grafana
    faults.add({ kind: '*', effect: { type: 'status', status: 503 } })
    const outageStarted = Date.now()
    const create = createRequest('outage-svc')
    await publishRequests([create])

    const http = ctx.harness.service?.http.url ?? ''
    let sawWaiting = false
    while (Date.now() - outageStarted < 20_000) {
      const readyz = (await (await fetch(`${http}/readyz`)).json()) as { waitingOnRetry?: number }
      const gauge = await metricValue(http, 'telemetry_services_waiting_retry')
      if ((readyz.waitingOnRetry ?? 0) >= 1 && (gauge ?? 0) >= 1) sawWaiting = true
      await sleep(1000)
    }
    const injected = faultCounts({ grafana: faults })
    faults.clear()
    const answer = await resultOf(ctx.results, create, 30_000).catch(() => undefined)
    const status = answer === undefined ? 'none' : String(dataOf(answer)['dashboardDataOrderStatus'])
    recordFigures({
      scenario: 'outage: Grafana answers 503 to every call for 20 s (restart), REQUEST_DEADLINE 15 min',
      requests: 1,
      faults: injected,
      inputs: 0,
      lost: answer === undefined ? 1 : 0,
      duplicateJobs: 0,
      promtool: 'n/a',
      seconds: (Date.now() - outageStarted) / 1000,
      notes: `result ${status} after the outage; waiting shown in /readyz and metrics: ${String(sawWaiting)}; the other services' lanes kept going (per-service timer)`,
    })
    expect(sawWaiting, 'the outage shows in /readyz waitingOnRetry and telemetry_services_waiting_retry').to.equal(true)

    const data = dataOf(await resultOf(ctx.results, create, 30_000))
    expect(data).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    expect(Date.now() - outageStarted).to.be.greaterThan(20_000)
    expect(await metricValue(http, 'telemetry_step_retries_total{step="upsertDashboard",outcome="scheduled"}')).to.be.greaterThan(0)
    expect(ctx.harness.stack.grafana.dashboards().filter((d) => d.uid.includes('outage-svc'))).to.have.length(2)
  })

  it('Grafana answers 403 (misconfigured token): the create fails at once with that reason, no waiting', async () => {
    const { faults } = ctx.harness.stack.grafana
    faults.add({ kind: '*', effect: { type: 'status', status: 403 } })
    const started = Date.now()
    const create = createRequest('forbidden-svc')
    await publishRequests([create])
    const data = dataOf(await resultOf(ctx.results, create, 15_000))
    faults.clear()
    expect(data).to.include({ dashboardDataOrderStatus: 'FAILURE' })
    expect(String(data['dashboardDataOrderMessage'])).to.match(/403/)
    expect(Date.now() - started).to.be.lessThan(10_000)
  })
})
