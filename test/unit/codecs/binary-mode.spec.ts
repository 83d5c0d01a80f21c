import { expect } from 'chai'
import { isLeft, isRight, type Either } from 'fp-ts/lib/Either.js'
import { HEADER_LIMITS, decodeBinaryRequest, decodeRequestDelivery, isBinaryMode } from '../../../src/codecs/binary-mode.js'
import type { RecordHeaders } from '../../../src/codecs/delivery.js'
import { decodeRequestMessage, type RejectedMessage, type RequestMessage } from '../../../src/codecs/request-message.js'
import { bytesOf, createRequestSample, deleteRequestSample } from '../../fixtures/spec-samples.js'

const CREATE = createRequestSample.type
const DELETE = deleteRequestSample.type

/** The binary-mode record SONATA could send instead of the structured sample: ce_* headers + data. */
const binaryOf = (message: Record<string, unknown>): { headers: Record<string, Buffer | string>; value: Buffer } => {
  const headers: Record<string, Buffer | string> = { 'content-type': 'application/json' }
  for (const [name, value] of Object.entries(message)) if (name !== 'data') headers[`ce_${name}`] = Buffer.from(String(value))
  return { headers, value: Buffer.from(JSON.stringify(message['data'])) }
}

const rejected = (r: Either<RejectedMessage, RequestMessage>): RejectedMessage => {
  if (!isLeft(r)) throw new Error('expected a rejection')
  return r.left
}

describe('codecs/binary-mode (CloudEvents Kafka binding, binary content mode)', () => {
  it('given the spec samples in binary mode, when decoded, then they equal the structured decoding', () => {
    for (const sample of [createRequestSample, deleteRequestSample]) {
      const { headers, value } = binaryOf(sample)
      const binary = decodeBinaryRequest(sample.type, headers, value)
      const structured = decodeRequestMessage(sample.type, bytesOf(sample))
      expect(isRight(binary)).to.be.true
      // binary mode adds only the datacontenttype the content-type header gave
      expect(isRight(binary) && isRight(structured) && { ...binary.right, envelope: { ...binary.right.envelope, datacontenttype: undefined } }).to.deep.equal(
        isRight(structured) && { ...structured.right, envelope: { ...structured.right.envelope, datacontenttype: undefined } },
      )
    }
  })

  it('carries the kogito* extensions from ce_kogito* headers into the request', () => {
    const { headers, value } = binaryOf(createRequestSample)
    const r = decodeBinaryRequest(CREATE, headers, value)
    expect(isRight(r) && r.right.kogito).to.deep.include({
      kogitoprocinstanceid: createRequestSample.kogitoprocinstanceid,
      kogitoprocid: 'serviceTelemetryProcess',
    })
  })

  it('is selected by a ce_specversion header; a record without one stays structured', () => {
    expect(isBinaryMode({ ce_specversion: '1.0' })).to.be.true
    expect(isBinaryMode({ 'content-type': 'application/cloudevents+json' })).to.be.false
    expect(isBinaryMode(undefined)).to.be.false
    const structured = decodeRequestDelivery({ topic: CREATE, value: bytesOf(createRequestSample), headers: { traceparent: 'x' } })
    expect(isRight(structured)).to.be.true
    const { headers, value } = binaryOf(deleteRequestSample)
    expect(isRight(decodeRequestDelivery({ topic: DELETE, value, headers }))).to.be.true
  })

  it('accepts a missing content-type and +json media types; rejects other ones with the correlation kept', () => {
    const { headers, value } = binaryOf(createRequestSample)
    const { ['content-type']: _dropped, ...bare } = headers
    expect(isRight(decodeBinaryRequest(CREATE, bare, value))).to.be.true
    expect(isRight(decodeBinaryRequest(CREATE, { ...headers, 'content-type': 'application/vnd.hypo+json; charset=utf-8' }, value))).to.be.true
    const r = rejected(decodeBinaryRequest(CREATE, { ...headers, 'content-type': 'text/plain' }, value))
    expect(r.reason).to.equal('unsupported content-type "text/plain": request data is JSON')
    expect(r).to.include({ kind: 'create', cloudEventId: createRequestSample.id })
    expect(r.kogito['kogitoprocinstanceid']).to.equal(createRequestSample.kogitoprocinstanceid)
  })

  it('rejects what structured mode rejects, with the same reasons (invalid payload, wrong type, malformed data)', () => {
    const bad = binaryOf({ ...createRequestSample, data: { serviceId: '../x', namespaces: ['a'], prometheus: { host: 'h', port: 1 } } })
    const structured = rejected(
      decodeRequestMessage(CREATE, bytesOf({ ...createRequestSample, data: { serviceId: '../x', namespaces: ['a'], prometheus: { host: 'h', port: 1 } } })),
    )
    expect(rejected(decodeBinaryRequest(CREATE, bad.headers, bad.value)).reasons).to.deep.equal(structured.reasons)
    const del = binaryOf(deleteRequestSample)
    expect(rejected(decodeBinaryRequest(CREATE, del.headers, del.value)).reason).to.match(/does not match topic/)
    expect(rejected(decodeBinaryRequest(DELETE, del.headers, Buffer.from('{"serviceId":'))).reason).to.match(/^malformed JSON: /)
    expect(rejected(decodeBinaryRequest(DELETE, del.headers, null)).reason).to.match(/^invalid delete request: data: /)
    expect(rejected(decodeBinaryRequest(DELETE, { ...del.headers, ce_specversion: '0.3' }, del.value)).reason).to.match(/^unsupported CloudEvents specversion/)
  })

  it('bounds hostile headers: count, name length, value length, repeats, non-UTF-8, reserved names, total size', () => {
    const { headers, value } = binaryOf(deleteRequestSample)
    const many: Record<string, string | Buffer> = { ...headers }
    for (let i = 0; i < HEADER_LIMITS.count; i++) many[`x-${i}`] = 'y'
    const cases: ReadonlyArray<readonly [RecordHeaders, RegExp]> = [
      [many, /too many headers/],
      [{ ...headers, ['x'.repeat(HEADER_LIMITS.nameChars + 1)]: 'y' }, /header name too long/],
      [{ ...headers, ce_kogitoprocid: 'v'.repeat(HEADER_LIMITS.valueBytes + 1) }, /too long: 4097 bytes/],
      [{ ...headers, ce_id: ['a', 'b'] }, /appears 2 times/],
      [{ ...headers, ce_source: Buffer.from([0xff, 0xfe]) }, /not UTF-8/],
      [{ ...headers, ce_data: '{}' }, /not allowed in binary mode/],
      [{ ...headers, 'ce_Bad-Name': 'x' }, /does not name a CloudEvents attribute/],
    ]
    for (const [hostile, reason] of cases) expect(rejected(decodeBinaryRequest(DELETE, hostile, value)).reason).to.match(reason)
    expect(rejected(decodeBinaryRequest(DELETE, headers, value, 100)).reason).to.match(/^message too large: \d+ bytes \(headers and value\)/)
  })
})
