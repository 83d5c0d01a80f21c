import { expect } from 'chai'
import { dump } from '../../../support/yaml.js'
import { federationJob } from '../../../../src/effects/prometheus/scrape-job.js'
import { checkScrapeConfigsWithPromtool } from '../../../support/promtool.js'

describe('scrape-job against promtool', () => {
  it('two services with the same namespaces: each job stamps its own hypo_service_id after honor_labels, and Prometheus accepts both', async () => {
    const jobs = ['tenant-a', 'tenant-b'].map((serviceId) => federationJob({ serviceId, namespaces: ['default'], host: '10.0.0.1', port: 9090 }))
    expect(jobs.map((j) => j.metric_relabel_configs)).to.deep.equal([
      [{ action: 'replace', target_label: 'hypo_service_id', replacement: 'tenant-a' }],
      [{ action: 'replace', target_label: 'hypo_service_id', replacement: 'tenant-b' }],
    ])
    expect(jobs.every((j) => j.honor_labels)).to.equal(true)
    const result = await checkScrapeConfigsWithPromtool(dump(jobs))
    expect(result.ok, result.output).to.equal(true)
  })
})
