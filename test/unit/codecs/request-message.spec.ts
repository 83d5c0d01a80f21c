import { expect } from 'chai'
import fc from 'fast-check'
import { isLeft, isRight, type Either } from 'fp-ts/lib/Either.js'
import { decodeRequestMessage, type RejectedMessage, type RequestMessage } from '../../../src/codecs/request-message.js'
import { RequestTopics } from '../../../src/codecs/topics.js'
import { bytesOf, createRequestSample, deleteRequestSample } from '../../fixtures/spec-samples.js'

const CREATE = RequestTopics.create
const DELETE = RequestTopics.delete
const PLATFORM = RequestTopics.platform

const rejected = (r: Either<RejectedMessage, RequestMessage>): RejectedMessage => {
  if (isRight(r)) throw new Error(`expected a rejection, got ${JSON.stringify(r.right)}`)
  return r.left
}
const withData = (data: Record<string, unknown>): Buffer => bytesOf({ ...createRequestSample, data: { ...createRequestSample.data, ...data } })
const createReason = (data: Record<string, unknown>): string => rejected(decodeRequestMessage(CREATE, withData(data))).reason

describe('codecs/request-message', () => {
  describe('the spec samples', () => {
    it('decodes the create sample with every kogito attribute', () => {
      const r = decodeRequestMessage(CREATE, bytesOf(createRequestSample))
      expect(r).to.deep.equal({
        _tag: 'Right',
        right: {
          kind: 'create',
          envelope: createRequestSample,
          kogito: {
            kogitoproctype: 'BPMN',
            kogitoprocinstanceid: 'bb4c1652-7589-42bd-9417-f359c2f391ee',
            kogitoprocist: 'Active',
            kogitoprocversion: '1.0',
            kogitoprocid: 'serviceTelemetryProcess',
          },
          payload: {
            serviceId: 'ecc4345a-2097-4c3b-a40c-a9e791cdccbb',
            namespaces: ['NAMESPACE_1', 'NAMESPACE_2'],
            prometheus: { host: '10.10.10.4', port: 30180 },
          },
        },
      })
    })

    it('decodes the delete sample with every kogito attribute', () => {
      const r = decodeRequestMessage(DELETE, bytesOf(deleteRequestSample))
      if (isLeft(r)) throw new Error(r.left.reason)
      expect(r.right.kind).to.equal('delete')
      expect(r.right.payload).to.deep.equal({ serviceId: 'ecc4345a-2097-4c3b-a40c-a9e791cdccbb' })
      expect(r.right.kogito).to.deep.equal({
        kogitoproctype: 'BPMN',
        kogitoprocinstanceid: 'db641bde-d7d9-4ba0-87b7-2641a9aee28f',
        kogitoprocist: 'Active',
        kogitoprocversion: '1.0',
        kogitoprocid: 'serviceTelemetryDeleteProcess',
      })
    })

    it('decodes a platform-service request (our payload)', () => {
      const msg = { ...createRequestSample, type: PLATFORM, data: { serviceId: 'sonata', namespaces: ['hypo'], serviceName: 'SONATA' } }
      const r = decodeRequestMessage(PLATFORM, bytesOf(msg))
      expect(isRight(r) && r.right.kind === 'platform' && r.right.payload).to.deep.equal({ serviceId: 'sonata', namespaces: ['hypo'], serviceName: 'SONATA' })
    })
  })

  describe('rejections, each with a readable reason', () => {
    it('null value (tombstone) and empty buffer', () => {
      expect(rejected(decodeRequestMessage(CREATE, null))).to.deep.equal({
        kind: 'create',
        kogito: {},
        reason: 'empty message: the record has no value (tombstone)',
        reasons: ['empty message: the record has no value (tombstone)'],
      })
      expect(rejected(decodeRequestMessage(CREATE, Buffer.alloc(0))).reason).to.equal('empty message: the record value is 0 bytes')
    })

    it('malformed JSON and invalid UTF-8', () => {
      expect(rejected(decodeRequestMessage(CREATE, Buffer.from('{"specversion": "1.0",'))).reason).to.match(/^malformed JSON: /)
      expect(rejected(decodeRequestMessage(CREATE, Buffer.from([0x7b, 0xff, 0x7d]))).reason).to.match(/^malformed JSON: .*(encoded|UTF-8|decode)/i)
    })

    it('JSON that is not an object', () => {
      expect(rejected(decodeRequestMessage(CREATE, Buffer.from('[1,2]'))).reason).to.equal('not a CloudEvent: expected a JSON object, got [1,2]')
      expect(rejected(decodeRequestMessage(CREATE, Buffer.from('null'))).reason).to.equal('not a CloudEvent: expected a JSON object, got null')
    })

    it('oversized message', () => {
      const big = withData({ pad: 'x'.repeat(2000) })
      expect(rejected(decodeRequestMessage(CREATE, big, 1024)).reason).to.equal(`message too large: ${big.length} bytes exceeds the limit of 1024 bytes`)
      expect(isRight(decodeRequestMessage(CREATE, big))).to.be.true
    })

    it('wrong or missing specversion', () => {
      const r = rejected(decodeRequestMessage(CREATE, bytesOf({ ...createRequestSample, specversion: '0.3' })))
      expect(r.reason).to.equal('unsupported CloudEvents specversion: expected "1.0", got "0.3"')
      expect(r.cloudEventId).to.equal(createRequestSample.id)
      expect(r.kogito['kogitoprocinstanceid']).to.equal('bb4c1652-7589-42bd-9417-f359c2f391ee')
      const { specversion: _s, ...noVersion } = createRequestSample
      expect(rejected(decodeRequestMessage(CREATE, bytesOf(noVersion))).reason).to.equal('unsupported CloudEvents specversion: expected "1.0", got missing')
      expect(rejected(decodeRequestMessage(CREATE, bytesOf({ ...createRequestSample, specversion: 1 }))).reason).to.equal(
        'unsupported CloudEvents specversion: expected "1.0", got 1',
      )
    })

    it('missing id', () => {
      const { id: _id, ...noId } = createRequestSample
      const r = rejected(decodeRequestMessage(CREATE, bytesOf(noId)))
      expect(r.reason).to.equal('invalid CloudEvent envelope: id: expected NonEmptyString, got undefined')
      expect(r.cloudEventId).to.be.undefined
      expect(r.serviceId).to.equal(createRequestSample.data.serviceId)
    })

    it('missing serviceId', () => {
      const { serviceId: _sid, ...noServiceId } = createRequestSample.data
      const r = rejected(decodeRequestMessage(CREATE, bytesOf({ ...createRequestSample, data: noServiceId })))
      expect(r.reason).to.match(/^invalid create request: data\.serviceId: expected ServiceId .*, got undefined$/)
      expect(r.serviceId).to.be.undefined
      expect(r.cloudEventId).to.equal(createRequestSample.id)
    })

    for (const bad of ['ecc"4345', 'ecc 4345', 'ecc\n4345', 'ecc{4345}', 'ecc}', '']) {
      it(`serviceId ${JSON.stringify(bad)}`, () => {
        const r = rejected(decodeRequestMessage(CREATE, withData({ serviceId: bad })))
        expect(r.reasons).to.deep.equal([`data.serviceId: expected ServiceId (1-128 of A-Z a-z 0-9 _ . -, starting alphanumeric), got ${JSON.stringify(bad)}`])
        expect(r.serviceId).to.equal(bad) // echoed raw, for the FAILURE result
      })
    }

    for (const bad of ['bad|ns', 'a"b', 'a}', 'a b', 'a\tb', 'a\\b']) {
      it(`namespace ${JSON.stringify(bad)}`, () => {
        expect(createReason({ namespaces: ['NAMESPACE_1', bad] })).to.equal(
          `invalid create request: data.namespaces.1: expected Namespace (1-253 of A-Z a-z 0-9 _ . -), got ${JSON.stringify(bad)}`,
        )
      })
    }

    it('empty namespaces', () => {
      expect(createReason({ namespaces: [] })).to.equal('invalid create request: data.namespaces: expected Namespaces (1-100 namespaces), got []')
    })

    it('port 70000, 0 and "80"', () => {
      expect(createReason({ prometheus: { host: '10.10.10.4', port: 70000 } })).to.equal(
        'invalid create request: data.prometheus.port: expected Port (integer 1-65535), got 70000',
      )
      expect(createReason({ prometheus: { host: '10.10.10.4', port: 0 } })).to.equal(
        'invalid create request: data.prometheus.port: expected Port (integer 1-65535), got 0',
      )
      expect(createReason({ prometheus: { host: '10.10.10.4', port: '80' } })).to.equal(
        'invalid create request: data.prometheus.port: expected Port (integer 1-65535), got "80"',
      )
    })

    it('host with a scheme or a path', () => {
      const expected = 'invalid create request: data.prometheus.host: expected PrometheusHost (hostname, IPv4 or IPv6; no scheme, path or port), got '
      expect(createReason({ prometheus: { host: 'http://x', port: 9090 } })).to.equal(`${expected}"http://x"`)
      expect(createReason({ prometheus: { host: 'x/federate', port: 9090 } })).to.equal(`${expected}"x/federate"`)
    })

    it('type different from the topic', () => {
      const r = rejected(decodeRequestMessage(CREATE, bytesOf(deleteRequestSample)))
      expect(r.reason).to.equal(
        'CloudEvent type "telemetry-delete-prometheus-job-and-grafana-dashboard" does not match topic "telemetry-create-prometheus-job-and-grafana-dashboard"',
      )
      expect(r.kind).to.equal('create')
    })

    it('unknown topic', () => {
      const r = rejected(decodeRequestMessage('sonata-service-dashboard-result', bytesOf(createRequestSample)))
      expect(r.reason).to.equal('unknown topic "sonata-service-dashboard-result": not a request topic')
      expect(r.kind).to.be.undefined
    })

    it('missing data', () => {
      const { data: _d, ...noData } = deleteRequestSample
      expect(rejected(decodeRequestMessage(DELETE, bytesOf(noData))).reason).to.equal(
        'invalid delete request: data: expected DeleteDashboardRequest, got undefined',
      )
    })

    it('deeply nested data (10k levels) does not crash', () => {
      const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`
      const json = `{"specversion":"1.0","id":"x","source":"/s","type":"${CREATE}","data":{"serviceId":"s","namespaces":${deep},"prometheus":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}}`
      const r = rejected(decodeRequestMessage(CREATE, Buffer.from(json)))
      expect(r.reason).to.match(/^invalid create request: data\.namespaces\.0: expected Namespace .*, got \[\[\[\[…\]\]\]\];/)
      expect(r.reasons.join('').length).to.be.below(1000)
    })

    it('many problems: the reason line names five, reasons keeps all', () => {
      const r = rejected(decodeRequestMessage(CREATE, withData({ namespaces: ['a|', 'b|', 'c|', 'd|', 'e|', 'f|', 'g|'] })))
      expect(r.reasons).to.have.length(7)
      expect(r.reason).to.match(/data\.namespaces\.4: .*; … and 2 more$/)
    })

    it('huge ids are not echoed', () => {
      const r = rejected(decodeRequestMessage(CREATE, withData({ serviceId: 'x'.repeat(5000) })))
      expect(r.serviceId).to.be.undefined
      expect(r.reason.length).to.be.below(300)
    })
  })

  describe('never throws', () => {
    const topics = [CREATE, DELETE, PLATFORM, 'other']
    it('for arbitrary bytes', () => {
      fc.assert(
        fc.property(fc.constantFrom(...topics), fc.uint8Array({ maxLength: 512 }), (topic, bytes) => {
          expect(isLeft(decodeRequestMessage(topic, Buffer.from(bytes)))).to.be.true
        }),
        { numRuns: 500 },
      )
    })

    it('for arbitrary JSON, also inside a valid envelope', () => {
      fc.assert(
        fc.property(fc.constantFrom(...topics), fc.jsonValue(), fc.boolean(), (topic, value, wrap) => {
          const message = wrap ? { ...createRequestSample, type: topic, data: value, kogitoextra: value } : value
          const r = decodeRequestMessage(topic, Buffer.from(JSON.stringify(message) ?? 'null'))
          if (isLeft(r)) expect(r.left.reason).to.be.a('string').and.not.equal('')
        }),
        { numRuns: 500 },
      )
    })
  })
})
