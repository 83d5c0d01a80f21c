/**
 * docs/asyncapi.yaml is the contract SONATA's developers read; these checks keep it true:
 * it parses as AsyncAPI without error diagnostics, it covers exactly the topics the code uses,
 * and every example is accepted by the service's own codecs (requests as raw Kafka bytes through
 * `decodeRequestMessage`, results' `data` through the result codecs).
 */
import { expect } from 'chai'
import { isLeft, isRight, type Either } from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { DiagnosticSeverity, Parser, type AsyncAPIDocumentInterface } from '@asyncapi/parser'
import { OutgoingCloudEvent } from '../../../src/codecs/cloud-event.js'
import { decodeRequestDelivery } from '../../../src/codecs/binary-mode.js'
import { decodeRequestMessage } from '../../../src/codecs/request-message.js'
import { DashboardResult, DeleteDashboardResult, PlatformServiceResult } from '../../../src/codecs/results.js'
import { DEFAULT_DEAD_LETTER_TOPIC, RequestTopics, ResultTopics } from '../../../src/codecs/topics.js'
import { rejectionRecords } from '../../../src/streams/kafka/dead-letter.js'
import { resultIdOf } from '../../../src/state/ids.js'
import { incomingTraceOf } from '../../../src/codecs/incoming-trace.js'
import { DEFAULT_REQUEST_LIMITS } from '../../../src/codecs/limits.js'
import { MAX_TRACESTATE_CHARS, parseTraceparent } from '../../../src/support/tracing/trace-context.js'
import { createRequestSample, dashboardResultSample, deleteRequestSample } from '../../fixtures/spec-samples.js'

const path = fileURLToPath(new URL('../../../docs/asyncapi.yaml', import.meta.url))

type Json = Record<string, unknown>
interface Example {
  readonly channel: string
  readonly name: string
  readonly payload: Json
  readonly headers?: Record<string, string>
}

/** The CloudEvent attributes of a request example: its payload (structured mode) or its ce_* headers (binary mode). */
const attributesOf = (e: Example): Json =>
  e.headers?.['ce_specversion'] === undefined
    ? e.payload
    : Object.fromEntries(Object.entries(e.headers).flatMap(([k, v]) => (k.startsWith('ce_') ? [[k.slice(3), v]] : [])))

const RESULT_CODECS: Record<string, t.Decoder<unknown, unknown>> = {
  [ResultTopics.create]: DashboardResult,
  [ResultTopics.platform]: PlatformServiceResult,
  [ResultTopics.delete]: DeleteDashboardResult,
}

const requestTopics: readonly string[] = Object.values(RequestTopics)
const resultTopics: readonly string[] = Object.values(ResultTopics)

const reasonOf = (e: Either<unknown, unknown>): string => (isLeft(e) ? JSON.stringify(e.left).slice(0, 500) : '')

describe('docs/asyncapi.yaml', function () {
  this.timeout(30_000)
  let document: AsyncAPIDocumentInterface
  let examples: Example[]

  before(async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(await readFile(path, 'utf8'))
    const errors = diagnostics.filter((d) => Number(d.severity) === Number(DiagnosticSeverity.Error)) // warnings (e.g. "3.1.0 exists") are fine
    expect(errors.map((d) => `${d.path.join('.')}: ${d.message}`)).to.deep.equal([])
    if (parsed === undefined) throw new Error('no document')
    document = parsed
    examples = document
      .channels()
      .all()
      .flatMap((channel) =>
        channel
          .messages()
          .all()
          .flatMap((message) =>
            message
              .examples()
              .all()
              .map((example) => ({
                channel: channel.address() ?? '',
                name: `${message.id()}/${example.name() ?? '?'}`,
                payload: example.payload() as Json,
                ...(example.hasHeaders() ? { headers: example.headers() as Record<string, string> } : {}),
              })),
          ),
      )
  })

  it('is AsyncAPI 3 with a channel per contract topic plus the dead-letter topic', () => {
    expect(document.version()).to.match(/^3\./)
    const addresses = document
      .channels()
      .all()
      .map((c) => c.address())
    expect(addresses).to.have.members([...requestTopics, ...resultTopics, DEFAULT_DEAD_LETTER_TOPIC])
  })

  it('receives on the request topics and sends on the result and dead-letter topics', () => {
    const actions = new Map<string, string[]>()
    for (const op of document.operations().all()) {
      for (const channel of op.channels().all()) actions.set(channel.address() ?? '', [...(actions.get(channel.address() ?? '') ?? []), op.action()])
    }
    for (const topic of requestTopics) expect(actions.get(topic), topic).to.deep.equal(['receive'])
    for (const topic of [...resultTopics, DEFAULT_DEAD_LETTER_TOPIC]) expect(actions.get(topic), topic).to.deep.equal(['send'])
  })

  it('has examples on every channel, the spec samples verbatim among them', () => {
    for (const address of document
      .channels()
      .all()
      .map((c) => c.address()))
      expect(
        examples.some((e) => e.channel === address),
        `${address}`,
      ).to.equal(true)
    const payloads = examples.map((e) => e.payload)
    expect(payloads).to.deep.include(createRequestSample)
    expect(payloads).to.deep.include(deleteRequestSample)
    const success = examples.find(
      (e) => e.channel === ResultTopics.create && (e.payload['data'] as Json | undefined)?.['dashboardDataOrderStatus'] === 'SUCCESS',
    )
    expect(success?.payload['data']).to.deep.equal(dashboardResultSample.data)
    expect(examples.some((e) => e.channel === RequestTopics.platform)).to.equal(true)
    // and a binary-mode request (ce_* headers, the data as the value)
    expect(examples.some((e) => e.channel === RequestTopics.create && e.headers?.['ce_specversion'] === '1.0')).to.equal(true)
  })

  it('every request example decodes as the bytes SONATA would publish', () => {
    const requests = examples.filter((e) => requestTopics.includes(e.channel))
    expect(requests).to.have.length.at.least(3)
    for (const { channel, name, payload, headers } of requests) {
      // binary-mode examples carry their attributes as headers and the data alone as the value
      const decoded = decodeRequestDelivery({ topic: channel, value: Buffer.from(JSON.stringify(payload)), ...(headers === undefined ? {} : { headers }) })
      expect(isRight(decoded), `${name}: ${reasonOf(decoded)}`).to.equal(true)
    }
  })

  it('every result example is a valid result envelope whose data decodes with the result codec', () => {
    const results = examples.filter((e) => resultTopics.includes(e.channel))
    expect(results).to.have.length.at.least(3)
    for (const { channel, name, payload } of results) {
      const codec = RESULT_CODECS[channel]
      expect(codec, channel).to.exist
      const data = codec?.decode(payload['data'])
      expect(data !== undefined && isRight(data), `${name}: ${data === undefined ? '' : reasonOf(data)}`).to.equal(true)
      // exact codecs: nothing beyond the contract's fields
      if (data !== undefined && isRight(data)) expect(data.right, name).to.deep.equal(payload['data'])
      const envelope = OutgoingCloudEvent.decode(payload)
      expect(isRight(envelope), `${name}: ${reasonOf(envelope)}`).to.equal(true)
      expect(payload['type'], name).to.equal(channel)
    }
  })

  it('answers each request example with the id and kogitoprocrefid the service would use', () => {
    const requests = examples.filter((e) => requestTopics.includes(e.channel))
    for (const request of requests) {
      const attributes = attributesOf(request)
      const answer = examples.find((e) => resultTopics.includes(e.channel) && e.payload['kogitoprocrefid'] === attributes['kogitoprocinstanceid'])
      expect(answer, request.name).to.exist
      // the spec's own result sample keeps its printed id; ours are derived from the request id
      if (answer?.payload['id'] !== '21627e26-31eb-43e7-8343-92a696fd96b1')
        expect(answer?.payload['id'], answer?.name).to.equal(resultIdOf(String(attributes['id'])))
    }
  })

  it('shows the dead-letter record exactly as the service writes it', () => {
    const example = examples.find((e) => e.channel === DEFAULT_DEAD_LETTER_TOPIC)
    expect(example).to.exist
    const bad = { ...createRequestSample, data: { ...createRequestSample.data, prometheus: { host: '10.10.10.4', port: 70000 } } }
    const rejected = decodeRequestMessage(RequestTopics.create, Buffer.from(JSON.stringify(bad)))
    if (!isLeft(rejected)) throw new Error('expected a rejection')
    const [record] = rejectionRecords(
      { topic: RequestTopics.create, partition: 2, offset: '1534', key: null, value: Buffer.from('{}') },
      rejected.left,
      DEFAULT_DEAD_LETTER_TOPIC,
      '2024-10-30T09:28:34.400Z',
      { sourceUri: '/telemetry-client', grafanaPublicUrl: 'http://localhost:3000' },
      1_000_000,
    )
    const written = JSON.parse(record?.value ?? '{}') as Json
    expect(Object.keys(example?.payload ?? {}).sort()).to.deep.equal(Object.keys(written).sort())
    expect(example?.payload['reason']).to.equal(written['reason'])
    expect(example?.payload['reasons']).to.deep.equal(written['reasons'])
    // and the FAILURE result example carries the same reason the rejection produces
    const failure = examples.find((e) => e.channel === ResultTopics.create && (e.payload['data'] as Json)['dashboardDataOrderStatus'] === 'FAILURE')
    expect((failure?.payload['data'] as Json | undefined)?.['dashboardDataOrderMessage']).to.equal(`Request rejected: ${rejected.left.reason}`)
  })

  describe('trace context (the CloudEvents distributed-tracing extension)', () => {
    const schema = (name: string) =>
      document
        .components()
        .schemas()
        .all()
        .find((s) => s.id() === name)
    const propertiesOf = (name: string): string[] => Object.keys(schema(name)?.properties() ?? {})

    it('names every place the service reads it and every place a result carries it', () => {
      // codecs/incoming-trace.ts: the record headers, then the envelope's attributes (ce_* in binary mode)
      expect(propertiesOf('RequestRecordHeaders')).to.include.members(['traceparent', 'tracestate'])
      expect(propertiesOf('DistributedTracing')).to.include.members(['traceparent', 'tracestate'])
      expect(propertiesOf('BinaryModeHeaders')).to.include.members(['ce_traceparent', 'ce_tracestate', 'traceparent', 'tracestate'])
      // state/result-message.ts (envelope) and effects/steps/publish-result.ts + the publisher (headers)
      expect(propertiesOf('ResultRecordHeaders')).to.include.members(['content-type', 'traceparent', 'tracestate'])
      expect(schema('Tracestate')?.maxLength()).to.equal(MAX_TRACESTATE_CHARS)
      for (const message of ['CreateResult', 'PlatformResult', 'DeleteResult']) {
        expect(
          document
            .components()
            .messages()
            .all()
            .find((m) => m.id() === message)
            ?.hasHeaders(),
          message,
        ).to.equal(true)
      }
    })

    it("each request example's context is the one the service reads, and its result example repeats it in the same trace", () => {
      const requests = examples.filter((e) => requestTopics.includes(e.channel))
      const traced: string[] = []
      for (const request of requests) {
        const decoded = decodeRequestDelivery({
          topic: request.channel,
          value: Buffer.from(JSON.stringify(request.payload)),
          ...(request.headers === undefined ? {} : { headers: request.headers }),
        })
        if (!isRight(decoded)) throw new Error(`${request.name}: ${reasonOf(decoded)}`)
        const incoming = incomingTraceOf(request.headers, decoded.right, DEFAULT_REQUEST_LIMITS.maxExtensionAttributeBytes)
        expect(incoming.malformed, request.name).to.deep.equal([])
        const answer = examples.find((e) => resultTopics.includes(e.channel) && e.payload['kogitoprocrefid'] === attributesOf(request)['kogitoprocinstanceid'])
        expect({ traceparent: answer?.payload['traceparent'], tracestate: answer?.payload['tracestate'] }, request.name).to.deep.equal({
          traceparent: incoming.context?.traceparent,
          tracestate: incoming.context?.tracestate,
        })
        if (incoming.context === undefined) continue
        traced.push(request.name)
        // the record header: the service's publish span, in the request's trace
        const header = parseTraceparent(answer?.headers?.['traceparent'] ?? '')
        expect(header?.traceId, `${answer?.name ?? ''} traceparent header`).to.equal(parseTraceparent(incoming.context.traceparent)?.traceId)
        expect(header?.spanId).not.to.equal(parseTraceparent(incoming.context.traceparent)?.spanId)
        expect(answer?.headers?.['content-type']).to.equal('application/cloudevents+json; charset=UTF-8')
      }
      expect(traced).to.include.members(['createRequest/traced', 'createRequestBinary/tracedBinary'])
    })
  })
})
