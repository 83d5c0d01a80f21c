/**
 * Both OTLP/HTTP protocols reach a receiver: http/json (decoded: hex ids, OTLP kind numbers,
 * resource service.name) and http/protobuf (the default; counted by content type).
 */
import { expect } from 'chai'
import { startOtlpReceiver, type OtlpReceiver } from '../../../dev/otlp-receiver.js'
import { tracingFromEnv } from '../../../src/config/tracing-env.js'
import { startTracing } from '../../../src/support/tracing/otel-sdk.js'
import { SpanKind } from '../../../src/support/tracing/tracing.js'
import { OTLP_KIND, newTraceparent } from '../../support/trace-helpers.js'

describe('OTLP/HTTP export (http/json and http/protobuf)', function () {
  this.timeout(30_000)
  let receiver: OtlpReceiver
  before(async () => {
    receiver = await startOtlpReceiver()
  })
  after(async () => receiver.stop())

  it('http/json: the span arrives with its parent, kind and service name', async () => {
    const tracing = startTracing(
      tracingFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_SERVICE_NAME: 'svc-json' }).settings,
    )
    const parent = newTraceparent()
    tracing.startSpan('json-span', { traceparent: parent.traceparent }, { kind: SpanKind.CONSUMER }).end()
    await tracing.shutdown()
    await receiver.waitFor((spans) => spans.some((s) => s.name === 'json-span'), 10_000)
    const span = receiver.spans.find((s) => s.name === 'json-span')
    expect(span).to.include({ traceId: parent.traceId, parentSpanId: parent.spanId, kind: OTLP_KIND.consumer, serviceName: 'svc-json' })
  })

  it('http/protobuf (the default protocol) is sent as application/x-protobuf', async () => {
    const before = receiver.protobufRequests
    const tracing = startTracing(tracingFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/v1/traces` }).settings)
    tracing.startSpan('proto-span', undefined).end()
    await tracing.shutdown()
    await receiver.waitFor(() => receiver.protobufRequests > before, 10_000)
  })
})
