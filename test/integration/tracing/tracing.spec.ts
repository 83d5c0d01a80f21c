/**
 * One OpenTelemetry trace from SONATA's request record to the result record, checked with an
 * OTLP/HTTP receiver in the test process (http/json): the incoming context (structured mode,
 * binary mode, a Kafka header) or a new trace, the parent chain consume → steps → publish, span
 * kinds and attributes, the CLIENT spans at the doors, the group-committed secret write linked from
 * the request, a Grafana outage waited out in the same trace, and the result's `traceparent`.
 */
import { expect } from 'chai'
import { startOtlpReceiver, type OtlpReceiver } from '../../../dev/otlp-receiver.js'
import { tracingFromEnv } from '../../../src/config/tracing-env.js'
import { RequestTopics, ResultTopics } from '../../../src/codecs/topics.js'
import { startTracing } from '../../../src/support/tracing/otel-sdk.js'
import { formatInspection, inspectService } from '../../../src/ops/log/inspect.js'
import type { HarnessOptions } from '../../support/service-harness.js'
import { useHarness } from '../../support/harness-hooks.js'
import { publish } from '../../support/kafka-helpers.js'
import { createRequest, deleteRequest, envelopeOf, publishRequests, resultOf, type SentRequest } from '../../support/request-builders.js'
import { OTLP_KIND, ancestry, named, newTraceparent, one, otelEnv, spansOf, traceIdIn } from '../../support/trace-helpers.js'

const PROCESS_CREATE = `process ${RequestTopics.create}`
const PUBLISH_CREATE = `publish ${ResultTopics.create}`

const binaryRecord = (request: SentRequest & Record<string, unknown>, extra: Record<string, string> = {}) => {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...extra }
  for (const [name, value] of Object.entries(request)) if (name !== 'data') headers[`ce_${name}`] = String(value)
  return { key: String(request.data['serviceId']), value: JSON.stringify(request.data), headers }
}

describe('tracing: one trace from the request record to the result record', function () {
  this.timeout(120_000)
  let receiver: OtlpReceiver | undefined
  const harness: { -readonly [K in keyof HarnessOptions]: HarnessOptions[K] } = {
    env: { GRAFANA_RETRIES: '0', GRAFANA_TIMEOUT_MS: '1000', REQUEST_RETRY_BASE_DELAY: '1s', REQUEST_RETRY_MAX_DELAY: '2s' },
  }
  before(async () => {
    receiver = await startOtlpReceiver()
    harness.tracing = startTracing(tracingFromEnv(otelEnv(receiver.url)).settings)
  })
  const ctx = useHarness({ harness })
  after(async () => {
    await harness.tracing?.shutdown()
    await receiver?.stop()
  })
  const spans = () => receiver?.spans ?? []
  const waitForSpan = (traceId: string, name: string) => receiver?.waitFor((all) => named(spansOf(all, traceId), name).length > 0, 30_000)

  it('a structured-mode create carrying traceparent: consume, accept, steps, Grafana and publish spans in that trace; the result carries it', async () => {
    const incoming = newTraceparent()
    const request = { ...createRequest('trace-structured'), traceparent: incoming.traceparent, tracestate: 'sonata=abc' }
    await publishRequests([request])
    const answer = await resultOf(ctx.results, request)
    expect(envelopeOf(answer)).to.include({ traceparent: incoming.traceparent, tracestate: 'sonata=abc' })
    expect(traceIdIn(answer.headers['traceparent'])).to.equal(incoming.traceId)
    await waitForSpan(incoming.traceId, PUBLISH_CREATE)
    const trace = spansOf(spans(), incoming.traceId)

    const consume = one(trace, PROCESS_CREATE)
    expect(consume.kind).to.equal(OTLP_KIND.consumer)
    expect(consume.parentSpanId).to.equal(incoming.spanId)
    expect(consume.attributes).to.include({
      'messaging.system': 'kafka',
      'messaging.destination.name': RequestTopics.create,
      'messaging.consumer.group.name': ctx.harness.stack.config.kafka.groupId,
      'cloudevents.event_id': request.id,
      'cloudevents.event_type': RequestTopics.create,
      'telemetry.service_id': 'trace-structured',
      'telemetry.trace_context.source': 'cloudevent',
    })
    expect(consume.attributes['messaging.destination.partition.id']).to.be.a('string')
    expect(consume.attributes['messaging.kafka.offset']).to.be.a('number')

    const accept = one(trace, 'accept')
    expect(accept.kind).to.equal(OTLP_KIND.client)
    expect(accept.parentSpanId).to.equal(consume.spanId)

    for (const name of ['register job', 'upsert dashboard metrics', 'upsert dashboard logs', 'complete', PUBLISH_CREATE]) {
      expect(one(trace, name).parentSpanId, name).to.equal(consume.spanId)
    }
    // the drain's Redis calls: each append under the step it records (the publish's too), loads under the request
    const steps = ['register job', 'upsert dashboard metrics', 'upsert dashboard logs', 'complete', PUBLISH_CREATE].map((name) => one(trace, name).spanId)
    await receiver?.waitFor((all) => named(spansOf(all, incoming.traceId), 'append').some((a) => a.parentSpanId === steps[steps.length - 1]), 30_000)
    const redisCalls = spansOf(spans(), incoming.traceId)
    const appends = named(redisCalls, 'append')
    expect(appends.map((a) => a.parentSpanId)).to.include.members(steps)
    for (const append of appends) {
      expect(append.kind).to.equal(OTLP_KIND.client)
      expect(steps).to.include(append.parentSpanId)
      expect(append.attributes).to.include({ 'db.system.name': 'redis', 'db.operation.name': 'append', 'telemetry.service_id': 'trace-structured' })
    }
    const loads = named(redisCalls, 'load')
    expect(loads.length).to.be.greaterThan(0)
    for (const load of loads) expect(load, 'load').to.include({ kind: OTLP_KIND.client, parentSpanId: consume.spanId })

    const publishSpan = one(trace, PUBLISH_CREATE)
    expect(publishSpan.kind).to.equal(OTLP_KIND.producer)
    expect(publishSpan.attributes).to.include({ 'messaging.system': 'kafka', 'messaging.destination.name': ResultTopics.create })
    // the result record's header is the publish span's context
    expect(answer.headers['traceparent']).to.equal(`00-${incoming.traceId}-${publishSpan.spanId}-01`)

    const grafanaCalls = trace.filter((s) => s.kind === OTLP_KIND.client && s.attributes['http.request.method'] !== undefined)
    expect(grafanaCalls.length).to.be.greaterThan(1)
    for (const call of grafanaCalls) expect(ancestry(trace, call)[0]).to.match(/^upsert dashboard (metrics|logs)$/)

    // the group-committed secret write: its own trace, linked from the register step; its Kubernetes calls under it
    const register = one(trace, 'register job')
    await receiver?.waitFor((all) => all.some((s) => s.name === 'write secret' && s.links.some((l) => l.spanId === register.spanId)))
    const write = spans().find((s) => s.name === 'write secret' && s.links.some((l) => l.spanId === register.spanId))
    expect(write?.links.find((l) => l.spanId === register.spanId)?.traceId).to.equal(incoming.traceId)
    const kubeCalls = spans().filter((s) => s.parentSpanId === write?.spanId)
    expect(kubeCalls.map((s) => s.name)).to.include('PUT secret')
    for (const call of kubeCalls) expect(call.kind).to.equal(OTLP_KIND.client)

    // logs join traces: every line about this request has its trace id; the outcome line the complete step's span
    const about = ctx.harness.logs
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line['serviceId'] === 'trace-structured' || line['cloudEventId'] === request.id)
    expect(about.map((line) => line['msg'])).to.include('request completed')
    for (const line of about) expect(line, String(line['msg'])).to.include({ trace_id: incoming.traceId })
    expect(about.find((line) => line['msg'] === 'request completed')).to.include({ span_id: one(trace, 'complete').spanId })

    // inspect shows the request's trace id
    const store = ctx.harness.store
    const inspection = store === undefined ? undefined : await inspectService(store, 'trace-structured')
    expect(inspection === undefined ? '' : formatInspection(inspection)).to.include(`trace ${incoming.traceId}`)
  })

  it('binary mode: ce_traceparent is the incoming context; a Kafka traceparent header wins over it', async () => {
    const fromAttribute = newTraceparent()
    const binary = createRequest('trace-binary')
    await publish(binary.type, [binaryRecord({ ...binary, traceparent: fromAttribute.traceparent })])
    const answer = await resultOf(ctx.results, binary)
    expect(traceIdIn(answer.headers['traceparent'])).to.equal(fromAttribute.traceId)
    expect(envelopeOf(answer)).to.include({ traceparent: fromAttribute.traceparent })

    const fromHeader = newTraceparent()
    const ignored = newTraceparent()
    const both = { ...createRequest('trace-header'), traceparent: ignored.traceparent }
    await publish(both.type, [{ key: 'trace-header', value: JSON.stringify(both), headers: { traceparent: fromHeader.traceparent } }])
    const second = await resultOf(ctx.results, both)
    expect(traceIdIn(second.headers['traceparent'])).to.equal(fromHeader.traceId)
    expect(envelopeOf(second)).to.include({ traceparent: fromHeader.traceparent })
    await waitForSpan(fromHeader.traceId, PROCESS_CREATE)
    expect(one(spansOf(spans(), fromHeader.traceId), PROCESS_CREATE).attributes).to.include({ 'telemetry.trace_context.source': 'kafka-header' })
    expect(spansOf(spans(), ignored.traceId)).to.have.length(0)
  })

  it('without incoming context (or with a malformed one) a new trace starts at the consumer; the result carries it, the envelope no traceparent', async () => {
    const request = { ...createRequest('trace-none'), traceparent: 'not-a-traceparent' }
    await publishRequests([request])
    const answer = await resultOf(ctx.results, request)
    expect(envelopeOf(answer).data).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    expect(envelopeOf(answer)).not.to.have.property('traceparent')
    const traceId = traceIdIn(answer.headers['traceparent']) ?? ''
    expect(traceId).to.match(/^[0-9a-f]{32}$/)
    await waitForSpan(traceId, PUBLISH_CREATE)
    const consume = one(spansOf(spans(), traceId), PROCESS_CREATE)
    expect(consume.parentSpanId).to.equal(undefined)
    expect(consume.attributes['telemetry.trace_context.malformed']).to.deep.equal(['cloudevent traceparent'])
    const metrics = await (await fetch(`${ctx.harness.service?.http.url ?? ''}/metrics`)).text()
    expect(metrics).to.match(/telemetry_trace_context_malformed_total\{where="cloudevent traceparent"\} [1-9]/)
  })

  it('a delete: remove job and delete dashboards under the consumer span, published in the same trace', async () => {
    const incoming = newTraceparent()
    const request = { ...deleteRequest('trace-structured'), traceparent: incoming.traceparent }
    await publishRequests([request])
    const answer = await resultOf(ctx.results, request)
    expect(traceIdIn(answer.headers['traceparent'])).to.equal(incoming.traceId)
    await waitForSpan(incoming.traceId, `publish ${ResultTopics.delete}`)
    const trace = spansOf(spans(), incoming.traceId)
    const consume = one(trace, `process ${RequestTopics.delete}`)
    for (const name of ['remove job', 'delete dashboards', `publish ${ResultTopics.delete}`])
      expect(one(trace, name).parentSpanId, name).to.equal(consume.spanId)
  })

  it('a step that waits out a Grafana outage: failed attempts with ERROR status, a wait for retry, then success, all in one trace', async () => {
    const { faults } = ctx.harness.stack.grafana
    faults.add({ kind: '*', effect: { type: 'status', status: 503 } })
    const incoming = newTraceparent()
    const request = { ...createRequest('trace-outage'), traceparent: incoming.traceparent }
    await publishRequests([request])
    await receiver?.waitFor((all) => named(spansOf(all, incoming.traceId), 'wait for retry').length > 0, 30_000)
    faults.clear()
    const answer = await resultOf(ctx.results, request, 60_000)
    expect(envelopeOf(answer).data).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    expect(traceIdIn(answer.headers['traceparent'])).to.equal(incoming.traceId)
    await waitForSpan(incoming.traceId, PUBLISH_CREATE)
    const trace = spansOf(spans(), incoming.traceId)
    const consume = one(trace, PROCESS_CREATE)
    const attempts = named(trace, 'upsert dashboard metrics')
    const failed = attempts.filter((s) => s.statusCode === 2)
    expect(failed.length, 'a failed attempt').to.be.greaterThan(0)
    expect(failed[0]?.attributes).to.include({ 'telemetry.step.retryable': true })
    expect(
      attempts.some((s) => s.statusCode !== 2),
      'the attempt after the outage',
    ).to.equal(true)
    const wait = named(trace, 'wait for retry')[0]
    expect(wait?.parentSpanId).to.equal(consume.spanId)
    expect(wait?.attributes['telemetry.retry_at']).to.be.a('string')
    // the Grafana calls that met the outage are CLIENT spans with the 503
    expect(trace.some((s) => s.kind === OTLP_KIND.client && s.attributes['http.response.status_code'] === 503)).to.equal(true)
  })
})
