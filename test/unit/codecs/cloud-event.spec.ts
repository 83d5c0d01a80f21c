import { expect } from 'chai'
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import { CloudEvent, kogitoAttributesOf, OutgoingCloudEvent } from '../../../src/codecs/cloud-event.js'
import { decodeWith } from '../../../src/codecs/decode.js'
import { createRequestSample, dashboardResultSample } from '../../fixtures/spec-samples.js'

describe('codecs/cloud-event', () => {
  it('decodes the spec request envelope', () => {
    const r = CloudEvent.decode(createRequestSample)
    expect(isRight(r) && r.right.time).to.equal('2024-10-30T11:28:34.161962096+02:00')
  })

  it('rejects a wrong specversion, a missing id, an empty source and a bad time with readable reasons', () => {
    expect(decodeWith(CloudEvent)({ ...createRequestSample, specversion: '0.3' })).to.deep.equal({
      _tag: 'Left',
      left: { reasons: ['specversion: expected "1.0", got "0.3"'] },
    })
    const { id: _id, ...noId } = createRequestSample
    const r = decodeWith(CloudEvent)({ ...noId, source: '', time: 'yesterday' })
    expect(isLeft(r) && r.left.reasons).to.deep.equal([
      'id: expected NonEmptyString, got undefined',
      'source: expected NonEmptyString, got ""',
      'time: expected Rfc3339 (timestamp), got "yesterday"',
    ])
  })

  it('keeps every kogito* attribute as a string, and nothing else', () => {
    expect(kogitoAttributesOf(createRequestSample)).to.deep.equal({
      kogitoproctype: 'BPMN',
      kogitoprocinstanceid: 'bb4c1652-7589-42bd-9417-f359c2f391ee',
      kogitoprocist: 'Active',
      kogitoprocversion: '1.0',
      kogitoprocid: 'serviceTelemetryProcess',
    })
    expect(kogitoAttributesOf(dashboardResultSample)).to.deep.equal({ kogitoprocrefid: 'ac19c63c-307b-461f-8a0b-5cb9d2676c47' })
    expect(kogitoAttributesOf({ kogitonum: 3, kogitobool: false, kogitoobj: { a: 1 }, kogitonull: null, kogitorootprocid: '', other: 'x' })).to.deep.equal({
      kogitonum: '3',
      kogitobool: 'false',
      kogitorootprocid: '',
    })
  })

  it('OutgoingCloudEvent: all required fields, string kogito extensions, extras kept on encode', () => {
    const out = {
      specversion: '1.0',
      id: '21627e26-31eb-43e7-8343-92a696fd96b1',
      source: '/telemetry-client',
      type: 'sonata-service-dashboard-result',
      time: '2024-10-30T11:28:35.000Z',
      datacontenttype: 'application/json',
      kogitoprocrefid: 'bb4c1652-7589-42bd-9417-f359c2f391ee',
      kogitoprocid: 'serviceTelemetryProcess',
      data: dashboardResultSample.data,
    }
    const r = OutgoingCloudEvent.decode(out)
    expect(isRight(r) && OutgoingCloudEvent.encode(r.right)).to.deep.equal(out)
    expect(isLeft(OutgoingCloudEvent.decode({ ...out, kogitoprocid: 7 }))).to.be.true
    expect(isLeft(OutgoingCloudEvent.decode({ ...out, datacontenttype: 'text/plain' }))).to.be.true
    const { kogitoprocrefid: _ref, ...noRef } = out
    expect(isLeft(OutgoingCloudEvent.decode(noRef))).to.be.true
    // the spec's own result sample has an empty source and no time: we publish stricter than that
    expect(isLeft(OutgoingCloudEvent.decode(dashboardResultSample))).to.be.true
  })
})
