import { expect } from 'chai'
import { isLeft } from 'fp-ts/lib/Either.js'
import { decodeWith } from '../../../src/codecs/decode.js'
import { CreateDashboardRequest, DeleteDashboardRequest, PlatformServiceRequest } from '../../../src/codecs/requests.js'
import { createRequestSample, deleteRequestSample } from '../../fixtures/spec-samples.js'

describe('codecs/requests', () => {
  it('decodes the spec payloads and drops unknown fields', () => {
    expect(
      CreateDashboardRequest.decode({ ...createRequestSample.data, extra: 1, prometheus: { ...createRequestSample.data.prometheus, scheme: 'x' } }),
    ).to.deep.equal({
      _tag: 'Right',
      right: createRequestSample.data,
    })
    expect(DeleteDashboardRequest.decode({ ...deleteRequestSample.data, extra: true })).to.deep.equal({ _tag: 'Right', right: deleteRequestSample.data })
  })

  it('reports every wrong field of a create request at once', () => {
    const r = decodeWith(CreateDashboardRequest)({ serviceId: 'a b', namespaces: [], prometheus: { host: 'http://x', port: '80' } })
    expect(isLeft(r) && r.left.reasons).to.deep.equal([
      'serviceId: expected ServiceId (1-128 of A-Z a-z 0-9 _ . -, starting alphanumeric), got "a b"',
      'namespaces: expected Namespaces (1-100 namespaces), got []',
      'prometheus.host: expected PrometheusHost (hostname, IPv4 or IPv6; no scheme, path or port), got "http://x"',
      'prometheus.port: expected Port (integer 1-65535), got "80"',
    ])
  })

  it('platform-service payload: serviceName optional, printable, 1-253; extras ignored', () => {
    const base = { serviceId: 'sonata', namespaces: ['hypo-platform', 'hypo-platform'] }
    expect(PlatformServiceRequest.decode({ ...base, other: 1 })).to.deep.equal({ _tag: 'Right', right: { serviceId: 'sonata', namespaces: ['hypo-platform'] } })
    expect(PlatformServiceRequest.decode({ ...base, serviceName: 'SONATA orchestrator' })).to.deep.equal({
      _tag: 'Right',
      right: { serviceId: 'sonata', namespaces: ['hypo-platform'], serviceName: 'SONATA orchestrator' },
    })
    for (const serviceName of ['', ' ', 'a\nb', 'x'.repeat(254), 5]) {
      const r = decodeWith(PlatformServiceRequest)({ ...base, serviceName })
      expect(isLeft(r) && r.left.reasons[0], JSON.stringify(serviceName)).to.match(/^serviceName: expected ServiceName/)
    }
    expect(isLeft(PlatformServiceRequest.decode({ serviceId: 'sonata' }))).to.be.true
  })

  it('encode of a decoded request is the request (events store it and decode it again)', () => {
    const r = CreateDashboardRequest.decode(createRequestSample.data)
    if (isLeft(r)) throw new Error('sample must decode')
    expect(CreateDashboardRequest.decode(JSON.parse(JSON.stringify(CreateDashboardRequest.encode(r.right))))).to.deep.equal(r)
  })
})
