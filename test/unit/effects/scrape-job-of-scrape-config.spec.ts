import { expect } from 'chai'
import { scrapeConfigOf } from '../../../src/effects/scrape-config-of.js'
import { scrapeJobOf } from '../../../src/effects/scrape-job-of-scrape-config.js'
import { federationJob, jobFingerprint } from '../../../src/effects/scrape-job.js'

const options = { namespace: 'monitoring', extraLabels: { release: 'prometheus' } }
const jobs = [
  federationJob({ serviceId: 'ecc4345a-2097-4c3b-a40c-a9e791cdccbb', namespaces: ['NAMESPACE_1', 'NAMESPACE_2'], host: '10.10.10.4', port: 30180 }),
  federationJob({ serviceId: 'Svc_1.x', namespaces: ['a.b', 'c_d'], host: 'fe80::1', port: 1 }),
  federationJob({ serviceId: 's', namespaces: ['n'], host: 'prometheus.example', port: 65535 }),
]

describe('scrape-job-of-scrape-config (the inverse of scrapeConfigOf)', () => {
  it('given the ScrapeConfig of a job, when read back, then the job with the same fingerprint', () => {
    for (const job of jobs) {
      const back = scrapeJobOf(scrapeConfigOf(job, options))
      expect(back).to.deep.equal(job)
      expect(jobFingerprint(back)).to.equal(jobFingerprint(job))
    }
  })

  it('given a hand edit of a value the job has, then a job with a different fingerprint', () => {
    const object = scrapeConfigOf(jobs[0]!, options)
    const edited = { spec: { ...object.spec, staticConfigs: [{ targets: ['evil:1'], labels: { serviceId: 'x' } }] } }
    expect(jobFingerprint(scrapeJobOf(edited))).not.to.equal(jobFingerprint(jobs[0]))
  })

  it('given a spec the service never writes, then undefined rather than a trimmed job', () => {
    const { spec } = scrapeConfigOf(jobs[0]!, options)
    const target = spec.staticConfigs?.[0]
    const cases = [
      { ...spec, scrapeInterval: '5s' },
      { ...spec, honorLabels: false },
      { ...spec, metricsPath: '/metrics' },
      { ...spec, params: { 'match[]': ['{a="b"}'], other: ['x'] } },
      { ...spec, staticConfigs: [] },
      { ...spec, staticConfigs: [{ targets: ['a:1', 'b:2'], labels: target?.labels }] },
      { ...spec, staticConfigs: [{ targets: ['a:1'] }] },
      { ...spec, metricRelabelings: [] },
      { ...spec, metricRelabelings: [{ action: 'drop', targetLabel: 'hypo_service_id', replacement: 'x' }] },
      Object.fromEntries(Object.entries(spec).filter(([k]) => k !== 'jobName')),
    ]
    for (const edited of cases) expect(scrapeJobOf({ spec: edited }), JSON.stringify(edited)).to.equal(undefined)
  })
})
