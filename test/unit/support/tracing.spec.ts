import { expect } from 'chai'
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace'
import { tracingFromEnv } from '../../../src/config/tracing-env.js'
import { incomingTraceOf } from '../../../src/codecs/incoming-trace.js'
import { formatTraceparent, parseTraceparent, traceContextOf } from '../../../src/support/tracing/trace-context.js'
import { startTracing } from '../../../src/support/tracing/otel-sdk.js'
import { traceContextOfSpan } from '../../../src/support/tracing/tracing.js'

const TP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'

describe('W3C trace context', () => {
  it('reads a valid traceparent and writes it back', () => {
    const parsed = parseTraceparent(TP)
    expect(parsed).to.include({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true })
    expect(formatTraceparent(parsed ?? { traceId: '', spanId: '', traceFlags: 0 })).to.equal(TP)
  })

  it('ignores malformed values: zero ids, version ff, upper case, extra fields in version 00, garbage', () => {
    for (const bad of [
      '00-00000000000000000000000000000000-b7ad6b7169203331-01',
      '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01',
      `ff${TP.slice(2)}`,
      TP.toUpperCase(),
      `${TP}-x`,
      'x',
      '',
    ]) {
      expect(parseTraceparent(bad), bad).to.equal(undefined)
    }
    // a future version is read by its first four fields
    expect(parseTraceparent(`01${TP.slice(2)}-more`)).not.to.equal(undefined)
  })

  it('keeps the traceparent and drops a tracestate over the W3C bound', () => {
    expect(traceContextOf(TP, 'a=1'.padEnd(600, 'x'))).to.deep.equal({ context: { traceparent: TP }, malformed: 'tracestate' })
    expect(traceContextOf(TP, 'congo=t61rcWkgMzE')).to.deep.equal({ context: { traceparent: TP, tracestate: 'congo=t61rcWkgMzE' } })
    expect(traceContextOf('nope', 'a=1')).to.deep.equal({ malformed: 'traceparent' })
  })
})

describe('incoming trace context', () => {
  const other = '00-11111111111111111111111111111111-2222222222222222-01'
  it('the Kafka traceparent header first, then the CloudEvent attribute', () => {
    expect(incomingTraceOf({ traceparent: Buffer.from(TP), tracestate: 'k=v' }, { distributedTracing: { traceparent: other } }, 1024)).to.deep.equal({
      context: { traceparent: TP, tracestate: 'k=v' },
      source: 'kafka-header',
      malformed: [],
    })
    expect(incomingTraceOf({}, { distributedTracing: { traceparent: other } }, 1024)).to.deep.equal({
      context: { traceparent: other },
      source: 'cloudevent',
      malformed: [],
    })
  })
  it('a malformed or repeated header is ignored and reported; the attribute is used then', () => {
    expect(incomingTraceOf({ traceparent: 'garbage' }, { distributedTracing: { traceparent: other } }, 1024)).to.deep.equal({
      context: { traceparent: other },
      source: 'cloudevent',
      malformed: ['kafka-header traceparent'],
    })
    expect(incomingTraceOf({ traceparent: [TP, TP] }, {}, 1024)).to.deep.equal({ malformed: ['kafka-header traceparent'] })
  })
  it('values over the attribute bound are ignored', () => {
    expect(incomingTraceOf(undefined, { distributedTracing: { traceparent: TP, tracestate: 'a=1'.padEnd(200, 'x') } }, 100)).to.deep.equal({
      context: { traceparent: TP },
      source: 'cloudevent',
      malformed: ['cloudevent tracestate'],
    })
  })
})

describe('OTEL_* configuration', () => {
  it('is off without an endpoint, and propagates W3C context by default', () => {
    const { settings, warnings } = tracingFromEnv({})
    expect(settings).to.include({
      enabled: false,
      propagate: true,
      protocol: 'http/protobuf',
      sampler: 'parentbased_always_on',
      serviceName: 'telemetry-client',
    })
    expect(warnings).to.deep.equal([])
  })
  it('reads the standard variables; the traces endpoint is used as is, the base one gets /v1/traces', () => {
    const { settings } = tracingFromEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'tc',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      OTEL_BSP_MAX_QUEUE_SIZE: '100',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '50',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=s%20ecret',
    })
    expect(settings).to.deep.include({
      enabled: true,
      endpoint: 'http://collector:4318/v1/traces',
      protocol: 'http/json',
      serviceName: 'tc',
      sampler: 'parentbased_traceidratio',
      samplerArg: 0.25,
      headers: { 'api-key': 's ecret' },
    })
    expect(settings.batch).to.deep.equal({ scheduledDelayMillis: 200, exportTimeoutMillis: 30_000, maxQueueSize: 100, maxExportBatchSize: 50 })
    expect(
      tracingFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom' }).settings.endpoint,
    ).to.equal('http://b:4318/custom')
  })
  it('OTEL_SDK_DISABLED and OTEL_PROPAGATORS=none turn things off; unusable values are warnings, never fatal', () => {
    expect(tracingFromEnv({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }).settings.enabled).to.equal(false)
    expect(tracingFromEnv({ OTEL_PROPAGATORS: 'none' }).settings.propagate).to.equal(false)
    const { settings, warnings } = tracingFromEnv({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_TRACES_SAMPLER: 'jaeger_remote',
      OTEL_TRACES_SAMPLER_ARG: '2',
      OTEL_BSP_SCHEDULE_DELAY: '-1',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url',
    })
    expect(settings).to.include({ enabled: false, protocol: 'http/protobuf', sampler: 'parentbased_always_on', samplerArg: 1 })
    expect(warnings).to.have.length(5)
  })
})

describe('tracing', () => {
  it('a span started from a carried context continues its trace and keeps its tracestate', () => {
    const exporter = new InMemorySpanExporter()
    const tracing = startTracing(tracingFromEnv({}).settings, exporter)
    const span = tracing.startSpan('child', { traceparent: TP, tracestate: 'k=v' })
    const ctx = traceContextOfSpan(span)
    span.end()
    expect(ctx?.traceparent).to.match(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/)
    expect(ctx?.tracestate).to.equal('k=v')
    expect(exporter.getFinishedSpans()[0]?.parentSpanContext?.spanId).to.equal('b7ad6b7169203331')
  })
  it('an unsampled incoming context stays unsampled (parent-based) but is carried on', () => {
    const exporter = new InMemorySpanExporter()
    const tracing = startTracing(tracingFromEnv({}).settings, exporter)
    const span = tracing.startSpan('child', { traceparent: TP.replace(/-01$/, '-00') })
    const ctx = traceContextOfSpan(span)
    span.end()
    expect(ctx?.traceparent).to.match(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-00$/)
    expect(exporter.getFinishedSpans()).to.have.length(0)
  })
})
