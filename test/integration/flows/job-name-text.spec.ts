/**
 * Job names as Prometheus reads them (issue #18 item 8): Prometheus decodes `job_name` into a Go
 * string from the scalar's text, so another team's `job_name: 0x1F` and our service "31" are two
 * jobs for promtool, although a YAML loader resolves both to the int 31. A create of "31" beside
 * it succeeds (no false conflict) and leaves the foreign item byte for byte; a create of "0x1F"
 * is the real conflict.
 */
import { expect } from 'chai'
import { useHarness } from '../../support/harness-hooks.js'
import { createRequest, dataOf, publishRequests, resultOf } from '../../support/request-builders.js'
import { checkScrapeConfigsWithPromtool } from '../../support/promtool.js'
import { recordFigures } from '../reliability/figures.js'

const FOREIGN = '- job_name: 0x1F\n  static_configs:\n    - targets: ["10.0.0.1:9090"]\n'

describe('job names compared as Prometheus reads them (Kafka → Redis → simulators → Kafka)', function () {
  this.timeout(90_000)
  const ctx = useHarness({ harness: { initialScrapeConfigs: FOREIGN } })

  it('a foreign `job_name: 0x1F` and service "31" are two jobs: the create succeeds, promtool agrees; a create of "0x1F" is the conflict', async () => {
    const started = Date.now()
    const before = await checkScrapeConfigsWithPromtool(FOREIGN)
    expect(before.ok, before.output).to.equal(true)
    const thirtyOne = createRequest('31', ['hypo-ok'])
    const hex = createRequest('0x1F', ['hypo-ok'])
    await publishRequests([thirtyOne, hex])
    const first = dataOf(await resultOf(ctx.results, thirtyOne))
    const second = dataOf(await resultOf(ctx.results, hex))
    const secret = ctx.harness.stack.scrapeConfigs() ?? ''
    const promtool = await checkScrapeConfigsWithPromtool(secret)
    recordFigures({
      scenario: 'job names as Prometheus reads them: a foreign `job_name: 0x1F`, then creates of "31" and "0x1F"',
      requests: 2,
      faults: {},
      inputs: 0,
      lost: 0,
      duplicateJobs: 0,
      promtool: promtool.ok ? 'pass' : 'FAIL',
      seconds: (Date.now() - started) / 1000,
      notes: `"31": ${String(first['dashboardDataOrderStatus'])} (was a false conflict); "0x1F": ${String(second['dashboardDataOrderStatus'])} (the foreign job); foreign item kept byte for byte: ${String(secret.startsWith(FOREIGN))}`,
    })
    expect(first['dashboardDataOrderStatus'], String(first['dashboardDataOrderMessage'])).to.equal('SUCCESS')
    expect(second['dashboardDataOrderStatus']).to.equal('FAILURE')
    expect(String(second['dashboardDataOrderMessage'])).to.match(/job_name "0x1F"/)
    expect(secret.startsWith(FOREIGN), secret).to.equal(true)
    expect(secret).to.match(/job_name: '?31'?/)
    expect(promtool.ok, promtool.output).to.equal(true)
  })
})
