/**
 * Hedged reads through the running service (Kafka → Redis → Kubernetes simulator → Kafka), in
 * ScrapeConfig mode where every create reads its object first: once the service knows how long
 * GETs take, a GET that hangs is answered by its hedged copy, and the writes are never doubled.
 */
import { expect } from 'chai'
import { DEV_SCRAPE_CONFIG } from '../../../dev/dev-stack.js'
import { scrapeConfigName } from '../../../src/effects/kube/scrapeconfig/scrape-config-name.js'
import { useHarness } from '../../support/harness-hooks.js'
import { createRequest, dataOf, publishRequests, resultOf } from '../../support/request-builders.js'

describe('hedged reads: a hung Kubernetes GET is answered by its second copy', function () {
  this.timeout(120_000)
  // a budget large enough that hedges the warm-up itself sent on a loaded machine cannot use it
  // up: the 5% cap is the hedger's unit spec's subject, the hung GET this one's
  const ctx = useHarness({ harness: { env: { SCRAPE_CONFIG_BACKEND: 'scrapeconfig', HEDGE_MAX_EXTRA_RATIO: '1' } } })

  const hedgeCounts = async (): Promise<{ reads: number; sent: number; won: number; heldBack: number }> => {
    const registry = ctx.harness.service?.metrics.registry
    const read = async (name: string, outcome?: string): Promise<number> => {
      const metric = registry?.getSingleMetric(name)
      if (metric === undefined) return 0
      const { values } = await metric.get()
      return values
        .filter((v) => v.labels['kind'] === 'scrapeconfig.get' && (outcome === undefined || v.labels['outcome'] === outcome))
        .reduce((sum, v) => sum + v.value, 0)
    }
    const heldBack = (await read('telemetry_hedged_reads_total', 'budget_spent')) + (await read('telemetry_hedged_reads_total', 'quiet'))
    return {
      reads: await read('telemetry_hedgeable_reads_total'),
      sent: await read('telemetry_hedged_reads_total', 'sent'),
      won: await read('telemetry_hedged_reads_total', 'won'),
      heldBack,
    }
  }

  it('given 40 creates (the GET latencies are known), when the next create’s first GET hangs, then it answers SUCCESS through the hedge, with one apply per object', async () => {
    const warmUp = Array.from({ length: 40 }, (_, i) => createRequest(`hedge-warm-${i}`))
    await publishRequests(warmUp)
    for (const request of warmUp) expect(dataOf(await resultOf(ctx.results, request, 60_000))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    const before = await hedgeCounts()
    expect(before.reads).to.be.at.least(40)

    const writesBefore = ctx.harness.stack.kube.successfulWrites
    ctx.harness.stack.kube.faults.add({ kind: 'scrapeconfig.get', effect: { type: 'hang' }, times: 1 })
    const slow = createRequest('hedge-slow')
    await publishRequests([slow])
    // without the hedge the hung GET would last GET's whole timeout (10 s) and then be retried
    expect(dataOf(await resultOf(ctx.results, slow, 40_000))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })

    const after = await hedgeCounts()
    expect(after.sent - before.sent, `hedges sent (counts before ${JSON.stringify(before)}, after ${JSON.stringify(after)})`).to.be.at.least(1)
    expect(after.won - before.won, 'hedges won').to.be.at.least(1)
    const object = ctx.harness.stack.kube.scrapeConfig(DEV_SCRAPE_CONFIG.namespace, scrapeConfigName('hedge-slow'))
    expect(object, 'the ScrapeConfig').to.exist
    expect(ctx.harness.stack.scrapeConfigObjects()).to.have.length(41)
    expect(ctx.harness.stack.kube.successfulWrites - writesBefore, 'one apply: writes are never hedged').to.equal(1)
  })
})
