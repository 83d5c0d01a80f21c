import { expect } from 'chai'
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import {
  applyEdits, emptyScrapeConfigList, loadScrapeConfigItems, parseScrapeConfigList, prometheusJobNames, renderScrapeConfigList, type SecretEdit,
} from '../../../../src/effects/prometheus/scrape-config-list.js'
import { federationJob } from '../../../../src/effects/prometheus/scrape-job.js'
import { checkScrapeConfigsWithPromtool } from '../../../support/promtool.js'

describe('scrape-config-list', () => {
  describe('against promtool', () => {
    it('accepts a rendered list with 1 job', async () => {
      const text = renderScrapeConfigList(applyEdits(emptyScrapeConfigList, [{ op: 'upsert', job: federationJob({ serviceId: 'ecc4345a-2097-4c3b-a40c-a9e791cdccbb', namespaces: ['NAMESPACE_1', 'NAMESPACE_2'], host: '10.0.0.1', port: 9090 }) }]))
      const result = await checkScrapeConfigsWithPromtool(text)
      expect(result.ok, result.output).to.equal(true)
    })

    it('accepts a rendered list with 50 jobs (IPv6 targets and dotted namespaces included)', async () => {
      const edits: SecretEdit[] = Array.from({ length: 50 }, (_, i) => ({
        op: 'upsert', job: federationJob({ serviceId: `svc-${i}`, namespaces: [`ns.${i}`, 'NS_X'], host: i % 2 === 0 ? `10.0.0.${i}` : 'fd00::1', port: 30000 + i }),
      }))
      const result = await checkScrapeConfigsWithPromtool(renderScrapeConfigList(applyEdits(emptyScrapeConfigList, edits)))
      expect(result.ok, result.output).to.equal(true)
    })

    it('rejects a list with a duplicate job_name (the check is real)', async () => {
      const text = renderScrapeConfigList(applyEdits(emptyScrapeConfigList, [{ op: 'upsert', job: federationJob({ serviceId: 'dup', namespaces: ['NS_1'], host: '10.0.0.1', port: 9090 }) }]))
      const result = await checkScrapeConfigsWithPromtool(text + text)
      expect(result.ok).to.equal(false)
      expect(result.output).to.match(/dup/)
    })
  })})

describe('prometheusJobNames', () => {
  it('names jobs by the scalar\'s text, as Prometheus decodes job_name into a string (0x1F and 31 are two jobs for promtool)', async () => {
    const text = '- job_name: 0x1F\n  static_configs: [{targets: ["a:1"]}]\n- job_name: 31\n  static_configs: [{targets: ["a:1"]}]\n- &b {job_name: "q", scrape_interval: 1m}\n- <<: *b\n  job_name: 1e3\n- job_name: true\n'
    const items = loadScrapeConfigItems(text)
    if (isLeft(items)) throw new Error(items.left.message)
    expect(prometheusJobNames(text, items.right)).to.deep.equal(['0x1F', '31', 'q', '1e3', 'true'])
    const parsed = parseScrapeConfigList(text)
    expect(isRight(parsed) && parsed.right.entries.map((e) => e.jobName)).to.deep.equal(['0x1F', '31', 'q', '1e3', 'true'])
    const promtool = await checkScrapeConfigsWithPromtool('- job_name: 0x1F\n- job_name: 31\n')
    expect(promtool.ok, promtool.output).to.equal(true)
  })
})
