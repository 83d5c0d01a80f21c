import { expect } from 'chai'
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import { boundedKogito, checkRequestLimits, DEFAULT_REQUEST_LIMITS, limitViolations } from '../../../src/codecs/limits.js'
import { decodeRequestMessage, type RequestMessage } from '../../../src/codecs/request-message.js'
import { RequestTopics } from '../../../src/codecs/topics.js'
import { renderedJobBytes } from '../../../src/effects/prometheus/job-size.js'
import { bytesOf, createRequestSample, deleteRequestSample } from '../../fixtures/spec-samples.js'

const decoded = (topic: string, message: unknown): RequestMessage => {
  const d = decodeRequestMessage(topic, bytesOf(message))
  if (isLeft(d)) throw new Error(d.left.reason)
  return d.right
}
const create = (patch: Record<string, unknown> = {}, data: Record<string, unknown> = {}) =>
  decoded(RequestTopics.create, { ...createRequestSample, ...patch, data: { ...createRequestSample.data, ...data } })
const violations = (m: RequestMessage) => limitViolations(m, DEFAULT_REQUEST_LIMITS, renderedJobBytes)

describe('codecs/limits', () => {
  it('given the spec samples, then within every default limit', () => {
    expect(violations(create())).to.deep.equal([])
    expect(violations(decoded(RequestTopics.delete, deleteRequestSample))).to.deep.equal([])
  })

  it('given a CloudEvent id over MAX_CLOUDEVENT_ID_BYTES (counted in UTF-8 bytes), then rejected without echoing the id', () => {
    const m = create({ id: 'é'.repeat(129) })
    expect(violations(m)).to.deep.equal(['CloudEvent id too large: 258 bytes exceeds the limit of 256 bytes (MAX_CLOUDEVENT_ID_BYTES)'])
    const checked = checkRequestLimits(m, DEFAULT_REQUEST_LIMITS, renderedJobBytes)
    expect(isLeft(checked) && checked.left.cloudEventId).to.equal(undefined)
    expect(isLeft(checked) && checked.left.serviceId).to.equal(createRequestSample.data.serviceId)
  })

  it('given a kogito attribute (value or name) or a standard attribute over the limit, then rejected, the oversized attribute dropped from the rejection', () => {
    const m = create({ kogitoprocinstanceid: 'k'.repeat(2000), ['kogito' + 'x'.repeat(1100)]: 'v', subject: 's'.repeat(1025) })
    expect(violations(m)).to.have.length(3)
    const checked = checkRequestLimits(m, DEFAULT_REQUEST_LIMITS, renderedJobBytes)
    if (!isLeft(checked)) throw new Error('expected a rejection')
    expect(checked.left.kind).to.equal('create')
    expect(Object.keys(checked.left.kogito)).to.not.include('kogitoprocinstanceid')
    expect(checked.left.kogito).to.include({ kogitoprocid: createRequestSample.kogitoprocid })
    expect(checked.left.reason).to.match(/^request over a limit: attribute subject too large/)
  })

  it('given more namespaces than MAX_NAMESPACES, then rejected (platform requests too)', () => {
    const namespaces = Array.from({ length: 65 }, (_, i) => `ns${i}`)
    expect(violations(create({}, { namespaces }))).to.deep.equal(['too many namespaces: 65 exceeds the limit of 64 (MAX_NAMESPACES)'])
    const platform = decoded(RequestTopics.platform, { ...createRequestSample, type: RequestTopics.platform, data: { serviceId: 'p1', namespaces } })
    expect(violations(platform)).to.have.length(1)
  })

  it("given a job that renders over MAX_JOB_BYTES with the real renderer, then rejected; the issue's 100 × 253-character namespaces never fit", () => {
    const long = (i: number) => `${'n'.repeat(249)}${String(i).padStart(4, '0')}`
    const forty = create({}, { namespaces: Array.from({ length: 40 }, (_, i) => long(i)) })
    if (forty.kind !== 'create') throw new Error('expected a create')
    expect(renderedJobBytes(forty.payload)).to.be.above(8192)
    expect(violations(forty)[0]).to.match(/^scrape job too large: \d+ bytes exceeds the limit of 8192 bytes \(MAX_JOB_BYTES\)$/)
    expect(violations(create({}, { namespaces: Array.from({ length: 100 }, (_, i) => long(i)) }))).to.have.length.above(0)
    expect(isRight(checkRequestLimits(create({}, { namespaces: [long(1), long(2)] }), DEFAULT_REQUEST_LIMITS, renderedJobBytes))).to.be.true
  })

  it('boundedKogito keeps exactly the attributes within the limit', () => {
    const each = { maxExtensionAttributeBytes: 10, maxExtensionAttributes: 100, maxExtensionAttributesBytes: 10_000 }
    expect(boundedKogito({ kogitoa: 'x', kogitob: 'y'.repeat(11), ['kogito' + 'c'.repeat(10)]: 'z' }, each)).to.deep.equal({ kogitoa: 'x' })
  })

  it('boundedKogito bounds the attributes together (count and bytes), the correlation attribute first', () => {
    const many = Object.fromEntries(Array.from({ length: 900 }, (_, i) => [`kogitox${i}`, 'v'.repeat(100)]))
    const kept = boundedKogito({ ...many, kogitoprocinstanceid: 'pi-1' }, DEFAULT_REQUEST_LIMITS)
    expect(kept).to.have.property('kogitoprocinstanceid', 'pi-1')
    expect(Object.keys(kept).length).to.be.at.most(DEFAULT_REQUEST_LIMITS.maxExtensionAttributes)
    expect(Object.entries(kept).reduce((n, [k, v]) => n + k.length + v.length, 0)).to.be.at.most(DEFAULT_REQUEST_LIMITS.maxExtensionAttributesBytes)
    const few = boundedKogito(many, { ...DEFAULT_REQUEST_LIMITS, maxExtensionAttributes: 3 })
    expect(Object.keys(few)).to.deep.equal(['kogitox0', 'kogitox1', 'kogitox2'])
  })

  it('limits the extension attributes of an envelope together: their count and their bytes', () => {
    const kogito = (n: number, size: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`kogitox${i}`, 'v'.repeat(size)]))
    const sample = Object.keys(create().kogito).length
    expect(violations(create(kogito(33 - sample, 1)))).to.deep.equal(['too many extension attributes: 33 exceeds the limit of 32 (MAX_EXTENSION_ATTRIBUTES)'])
    expect(violations(create(kogito(32 - sample, 1)))).to.deep.equal([])
    expect(violations(create(kogito(20, 300)))[0]).to.match(
      /^extension attributes together too large: \d+ bytes exceeds the limit of 4096 bytes \(MAX_EXTENSION_ATTRIBUTES_BYTES\)$/,
    )
    expect(violations(create(kogito(10, 100)))).to.deep.equal([])
  })
})
