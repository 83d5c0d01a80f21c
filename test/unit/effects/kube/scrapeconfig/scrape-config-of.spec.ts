import { expect } from 'chai'
import { isRight } from 'fp-ts/lib/Either.js'
import { ScrapeConfigResource } from '../../../../../src/codecs/apis/scrape-config.js'
import { federationJob } from '../../../../../src/effects/prometheus/scrape-job.js'
import { isOwnScrapeConfig, scrapeConfigOf, SERVICE_ID_ANNOTATION } from '../../../../../src/effects/kube/scrapeconfig/scrape-config-of.js'

const ID = 'ecc4345a-2097-4c3b-a40c-a9e791cdccbb'
const job = federationJob({ serviceId: ID, namespaces: ['NAMESPACE_1', 'NAMESPACE_2'], host: '10.10.10.4', port: 30180 })
const options = { namespace: 'monitoring', extraLabels: { release: 'prometheus' } }

describe('scrape-config-of', () => {
  it('given the spec sample job, then the ScrapeConfig that federates exactly as the secret job does', () => {
    expect(scrapeConfigOf(job, options)).to.deep.equal({
      apiVersion: 'monitoring.coreos.com/v1alpha1',
      kind: 'ScrapeConfig',
      metadata: {
        name: `${ID}-0`,
        namespace: 'monitoring',
        labels: { release: 'prometheus', 'app.kubernetes.io/managed-by': 'telemetry-client' },
        annotations: { 'telemetry-client.etsi-hypo/service-id': ID },
      },
      spec: {
        jobName: ID,
        staticConfigs: [{ targets: ['10.10.10.4:30180'], labels: { serviceId: ID } }],
        metricsPath: '/federate',
        params: { 'match[]': ['{namespace=~"NAMESPACE_1|NAMESPACE_2"}'] },
        honorLabels: true,
        metricRelabelings: [{ action: 'replace', targetLabel: 'hypo_service_id', replacement: ID }],
      },
    })
  })

  it('given extra labels that try to override the managed-by mark, then the mark wins', () => {
    const object = scrapeConfigOf(job, { ...options, extraLabels: { 'app.kubernetes.io/managed-by': 'helm' } })
    expect(object.metadata.labels).to.deep.equal({ 'app.kubernetes.io/managed-by': 'telemetry-client' })
  })

  it('given an upper-case serviceId, then the name is escaped and the annotation keeps the exact id', () => {
    const object = scrapeConfigOf(federationJob({ serviceId: 'Svc_1', namespaces: ['a'], host: 'h', port: 1 }), options)
    expect(object.metadata.name).to.match(/^svc-1-[0-9a-z]+$/)
    expect(object.metadata.annotations).to.deep.equal({ [SERVICE_ID_ANNOTATION]: 'Svc_1' })
    expect(object.spec.jobName).to.equal('Svc_1')
  })

  it('round-trips through its io-ts codec (what goes on the wire decodes back)', () => {
    const object = scrapeConfigOf(job, options)
    const decoded = ScrapeConfigResource.decode(JSON.parse(JSON.stringify(ScrapeConfigResource.encode(object))))
    expect(isRight(decoded) && decoded.right).to.deep.equal(object)
  })

  it("is the service's own only with both the managed-by label and the serviceId annotation", () => {
    const own = scrapeConfigOf(job, options)
    expect(isOwnScrapeConfig(own, ID)).to.equal(true)
    expect(isOwnScrapeConfig(own, 'other')).to.equal(false)
    expect(isOwnScrapeConfig({ metadata: { ...own.metadata, labels: {} } }, ID)).to.equal(false)
    expect(isOwnScrapeConfig({ metadata: { ...own.metadata, annotations: {} } }, ID)).to.equal(false)
  })
})
