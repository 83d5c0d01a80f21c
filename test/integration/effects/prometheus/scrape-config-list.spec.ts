import { expect } from 'chai'
import type { JobChange } from '../../../../src/effects/prometheus/scrape-config-list.js'
import { applyEdits, emptyScrapeConfigList, renderScrapeConfigList } from '../../../support/rendered-scrape-list.js'
import { federationJob, type ScrapeJob } from '../../../../src/effects/prometheus/scrape-job.js'
import { checkScrapeConfigsWithPromtool } from '../../../support/promtool.js'

/** A federation job as the service renders it, on a fixed target. */
const job = (serviceId: string, namespaces: readonly string[] = ['NS_1']): ScrapeJob => federationJob({ serviceId, namespaces, host: '10.0.0.1', port: 9090 })

describe('scrape-config-list', () => {
  describe('against promtool', () => {
    it('accepts a rendered list with 1 job', async () => {
      const text = renderScrapeConfigList(
        applyEdits(emptyScrapeConfigList, [{ op: 'upsert', job: job('ecc4345a-2097-4c3b-a40c-a9e791cdccbb', ['NAMESPACE_1', 'NAMESPACE_2']) }]),
      )
      const result = await checkScrapeConfigsWithPromtool(text)
      expect(result.ok, result.output).to.equal(true)
    })

    it('accepts a rendered list with 50 jobs (IPv6 targets and dotted namespaces included)', async () => {
      const edits: JobChange[] = Array.from({ length: 50 }, (_, i) => ({
        op: 'upsert',
        job: federationJob({ serviceId: `svc-${i}`, namespaces: [`ns.${i}`, 'NS_X'], host: i % 2 === 0 ? `10.0.0.${i}` : 'fd00::1', port: 30000 + i }),
      }))
      const result = await checkScrapeConfigsWithPromtool(renderScrapeConfigList(applyEdits(emptyScrapeConfigList, edits)))
      expect(result.ok, result.output).to.equal(true)
    })

    it('rejects a list with a duplicate job_name (the check is real)', async () => {
      const text = renderScrapeConfigList(applyEdits(emptyScrapeConfigList, [{ op: 'upsert', job: job('dup') }]))
      const result = await checkScrapeConfigsWithPromtool(text + text)
      expect(result.ok).to.equal(false)
      expect(result.output).to.match(/dup/)
    })
  })
})

describe('job names', () => {
  // the service's parser names these jobs the same way: test/unit/effects/prometheus/scrape-config-list.spec.ts
  it('promtool takes 0x1F and 31 for two jobs: job_name is decoded into a string, not a number', async () => {
    const promtool = await checkScrapeConfigsWithPromtool('- job_name: 0x1F\n- job_name: 31\n')
    expect(promtool.ok, promtool.output).to.equal(true)
  })
})
