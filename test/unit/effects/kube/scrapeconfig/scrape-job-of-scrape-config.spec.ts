import { expect } from 'chai'
import fc from 'fast-check'
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import type { ScrapeConfigResource } from '../../../../../src/codecs/apis/scrape-config.js'
import { scrapeConfigOf, SERVICE_ID_ANNOTATION } from '../../../../../src/effects/kube/scrapeconfig/scrape-config-of.js'
import { decodeServiceJob } from '../../../../../src/effects/prometheus/scrape-job-codec.js'
import { scrapeJobOf, scrapeJobOfScrapeConfig } from '../../../../../src/effects/kube/scrapeconfig/scrape-job-of-scrape-config.js'
import { federationJob, jobFingerprint } from '../../../../../src/effects/prometheus/scrape-job.js'

const options = { namespace: 'monitoring', extraLabels: { release: 'prometheus' } }
const serviceId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$/)
const namespaces = fc.array(fc.stringMatching(/^[A-Za-z0-9_.-]{1,20}$/), { minLength: 1, maxLength: 4 })
const host = fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain())
const jobs = fc.record({ serviceId, namespaces, host, port: fc.integer({ min: 1, max: 65535 }) }).map(federationJob)

const sample = federationJob({ serviceId: 'svc-1', namespaces: ['NAMESPACE_1'], host: '10.10.10.4', port: 30180 })
const withSpec = (spec: Record<string, unknown>): ScrapeConfigResource => {
  const resource = scrapeConfigOf(sample, options)
  return { ...resource, spec: { ...resource.spec, ...spec } }
}

describe('scrape-job-of-scrape-config: the inverse of scrapeConfigOf', () => {
  it('given any federation job, then jobOf(scrapeConfigOf(job)) equals the job and has its fingerprint', () => {
    fc.assert(
      fc.property(jobs, (job) => {
        const back = scrapeJobOfScrapeConfig(scrapeConfigOf(job, options))
        if (isLeft(back)) throw new Error(back.left)
        expect(back.right).to.deep.equal(job)
        expect(jobFingerprint(back.right)).to.equal(jobFingerprint(job))
      }),
      { numRuns: 300 },
    )
  })

  it('given an object read back with extra server fields (uid, resourceVersion), then it still converts', () => {
    const resource = scrapeConfigOf(sample, options)
    expect(isRight(scrapeJobOfScrapeConfig({ ...resource, metadata: { ...resource.metadata, uid: 'u1', resourceVersion: '7' } }))).to.equal(true)
  })

  const refused: ReadonlyArray<[string, ScrapeConfigResource]> = [
    ['a spec field the service does not write', withSpec({ scrapeInterval: '5s' })],
    ['a changed metrics path', withSpec({ metricsPath: '/metrics' })],
    ['a second target', withSpec({ staticConfigs: [{ targets: ['a:1', 'b:2'], labels: { serviceId: 'svc-1' } }] })],
    ['a relabeling with a regex', withSpec({ metricRelabelings: [{ action: 'replace', targetLabel: 'hypo_service_id', replacement: 'svc-1', regex: '.*' }] })],
    ['a job name of another service', withSpec({ jobName: 'svc-2' })],
    ['no annotation', { ...scrapeConfigOf(sample, options), metadata: { name: 'svc-1-0' } }],
    [
      'an annotation naming another service',
      { ...scrapeConfigOf(sample, options), metadata: { name: 'svc-1-0', annotations: { [SERVICE_ID_ANNOTATION]: 'svc-2' } } },
    ],
  ]
  for (const [what, resource] of refused) {
    it(`given ${what}, then it is refused with a reason`, () => {
      const back = scrapeJobOfScrapeConfig(resource)
      expect(isLeft(back)).to.equal(true)
    })
  }
})

describe('scrape-job-codec: decodeServiceJob', () => {
  it('given the job the service renders (as read back from YAML), then it decodes to the same job', () => {
    expect(decodeServiceJob(JSON.parse(JSON.stringify(sample)), 'svc-1')).to.deep.equal({ _tag: 'Right', right: sample })
  })
  it("given a job with a field more, a missing field, or another service's id, then it is refused", () => {
    expect(isLeft(decodeServiceJob({ ...sample, scrape_interval: '5s' }, 'svc-1'))).to.equal(true)
    const { metric_relabel_configs: _dropped, ...older } = sample
    expect(isLeft(decodeServiceJob(older, 'svc-1'))).to.equal(true)
    expect(isLeft(decodeServiceJob(sample, 'svc-2'))).to.equal(true)
    expect(isLeft(decodeServiceJob({ job_name: 'svc-1', static_configs: [{ targets: ['10.9.9.9:9100'] }] }, 'svc-1'))).to.equal(true)
  })
})

describe('scrapeJobOf (drift: the job in place, or undefined)', () => {
  it("is the job when the object is the service's own shape, undefined when it is not", () => {
    const job = federationJob({ serviceId: 'Svc_1.x', namespaces: ['a.b', 'c_d'], host: 'fe80::1', port: 1 })
    const object = scrapeConfigOf(job, { namespace: 'monitoring', extraLabels: { release: 'prometheus' } })
    expect(scrapeJobOf(object)).to.deep.equal(job)
    const edited = { ...object, spec: { ...object.spec, scrapeInterval: '5s' } } as typeof object
    expect(scrapeJobOf(edited)).to.equal(undefined)
  })
})
