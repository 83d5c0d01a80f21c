/**
 * The Prometheus Operator's rendering of a ScrapeConfig (dev/operator-scrape-config.ts), field by
 * field, for the object the service writes; and the lab's guard that keeps a real Prometheus
 * from ever being given an address that is not one of the test's own loopback servers.
 */
import { expect } from 'chai'
import { centralConfig, targetsOf } from '../../../dev/prometheus-lab.js'
import { operatorScrapeConfig, operatorScrapeConfigsYaml } from '../../../dev/operator-scrape-config.js'
import { scrapeConfigOf } from '../../../src/effects/kube/scrapeconfig/scrape-config-of.js'
import { federationJob } from '../../../src/effects/prometheus/scrape-job.js'

const object = scrapeConfigOf(federationJob({ serviceId: 'Svc.A', namespaces: ['a.b', 'c'], host: '127.0.0.1', port: 9090 }), {
  namespace: 'monitoring',
  extraLabels: { release: 'prometheus' },
})

describe("the Operator's scrape config for a ScrapeConfig", () => {
  it("given the service's object, then job_name scrapeConfig/<ns>/<name>, job = spec.jobName by relabeling, the federation fields copied, metric relabelings in snake_case", () => {
    expect(operatorScrapeConfig(object)).to.deep.equal({
      job_name: `scrapeConfig/monitoring/${object.metadata.name}`,
      honor_labels: true,
      metrics_path: '/federate',
      params: { 'match[]': ['{namespace=~"a\\\\.b|c"}'] },
      static_configs: [{ targets: ['127.0.0.1:9090'], labels: { serviceId: 'Svc.A' } }],
      relabel_configs: [
        { source_labels: ['job'], target_label: '__tmp_prometheus_job_name' },
        { target_label: 'job', replacement: 'Svc.A' },
        { source_labels: ['__address__'], target_label: '__tmp_hash', modulus: 1, action: 'hashmod' },
        { source_labels: ['__tmp_hash'], regex: '0', action: 'keep' },
      ],
      metric_relabel_configs: [{ target_label: 'hypo_service_id', replacement: 'Svc.A', action: 'replace' }],
    })
  })

  it('given no objects, then an empty list; given several, then sorted by namespace/name', () => {
    expect(operatorScrapeConfigsYaml([])).to.equal('[]')
    const other = { ...object, metadata: { ...object.metadata, name: 'aaa' } }
    expect(targetsOf(operatorScrapeConfigsYaml([object, other]))).to.have.length(2)
    expect(operatorScrapeConfigsYaml([object, other]).indexOf('scrapeConfig/monitoring/aaa')).to.equal(
      operatorScrapeConfigsYaml([object, other]).indexOf('scrapeConfig/'),
    )
  })
})

describe("the lab's central configuration and its target guard", () => {
  it('reads every static target, and flags service discovery (whose targets it cannot know)', () => {
    expect(
      targetsOf('- job_name: a\n  static_configs:\n    - targets: [127.0.0.1:1, 10.10.10.4:30180]\n- job_name: b\n  kubernetes_sd_configs: [{role: pod}]\n'),
    ).to.deep.equal(['127.0.0.1:1', '10.10.10.4:30180', '<service discovery>'])
    expect(targetsOf('')).to.deep.equal([])
  })

  it('wraps the list as scrape_configs after a global section; an empty list stays a list', () => {
    expect(centralConfig('')).to.match(/scrape_configs: \[\]\n$/)
    expect(centralConfig('- job_name: a\n')).to.match(/\nscrape_configs:\n {2}- job_name: a\n$/)
  })
})
