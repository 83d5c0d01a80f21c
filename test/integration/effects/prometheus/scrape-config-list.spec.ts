import { expect } from 'chai'
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import { type JobChange, parseScrapeList } from '../../../../src/effects/prometheus/scrape-config-list.js'
import { applyEdits, parseScrapeConfigList, renderScrapeConfigList, type ScrapeConfigList } from '../../../support/rendered-scrape-list.js'
import { federationJob, type ScrapeJob } from '../../../../src/effects/prometheus/scrape-job.js'
import { checkScrapeConfigsWithPromtool } from '../../../support/promtool.js'

const job = (serviceId: string, namespaces: readonly string[] = ['NS_1'], port = 9090): ScrapeJob =>
  federationJob({ serviceId, namespaces, host: '10.0.0.1', port })

const parsed = (text: string | undefined): ScrapeConfigList => {
  const result = parseScrapeConfigList(text)
  if (isLeft(result)) throw new Error(`expected Right, got Left: ${result.left.message}`)
  return result.right
}

describe('scrape-config-list', () => {
  describe('against promtool', () => {
    it('accepts a rendered list with 1 job', async () => {
      const text = renderScrapeConfigList(
        applyEdits(parsed(undefined), [{ op: 'upsert', job: job('ecc4345a-2097-4c3b-a40c-a9e791cdccbb', ['NAMESPACE_1', 'NAMESPACE_2']) }]),
      )
      const result = await checkScrapeConfigsWithPromtool(text)
      expect(result.ok, result.output).to.equal(true)
    })

    it('accepts a rendered list with 50 jobs (IPv6 targets and dotted namespaces included)', async () => {
      const edits: JobChange[] = Array.from({ length: 50 }, (_, i) => ({
        op: 'upsert',
        job: federationJob({ serviceId: `svc-${i}`, namespaces: [`ns.${i}`, 'NS_X'], host: i % 2 === 0 ? `10.0.0.${i}` : 'fd00::1', port: 30000 + i }),
      }))
      const result = await checkScrapeConfigsWithPromtool(renderScrapeConfigList(applyEdits(parsed(undefined), edits)))
      expect(result.ok, result.output).to.equal(true)
    })

    it('rejects a list with a duplicate job_name (the check is real)', async () => {
      const text = renderScrapeConfigList(applyEdits(parsed(undefined), [{ op: 'upsert', job: job('dup') }]))
      const result = await checkScrapeConfigsWithPromtool(text + text)
      expect(result.ok).to.equal(false)
      expect(result.output).to.match(/dup/)
    })
  })
})

describe('job names', () => {
  it("names jobs by the scalar's text, as Prometheus decodes job_name into a string (0x1F and 31 are two jobs for promtool)", async () => {
    const text =
      '- job_name: 0x1F\n  static_configs: [{targets: ["a:1"]}]\n- job_name: 31\n  static_configs: [{targets: ["a:1"]}]\n- &b {job_name: "q", scrape_interval: 1m}\n- <<: *b\n  job_name: 1e3\n- job_name: true\n- <<: *b\n'
    const list = parseScrapeList(text)
    if (isLeft(list)) throw new Error(list.left.message)
    expect(list.right.items.map((item) => item.jobName)).to.deep.equal(['0x1F', '31', 'q', '1e3', 'true', 'q'])
    const parsed = parseScrapeConfigList(text)
    expect(isRight(parsed) && parsed.right.entries.map((e) => e.jobName)).to.deep.equal(['0x1F', '31', 'q', '1e3', 'true', 'q'])
    const promtool = await checkScrapeConfigsWithPromtool('- job_name: 0x1F\n- job_name: 31\n')
    expect(promtool.ok, promtool.output).to.equal(true)
  })
})
