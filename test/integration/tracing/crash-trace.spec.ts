/**
 * SIGKILL mid-request, then a restart: the trace context is data in the request's events, so the
 * spans the second process exports are in the request's trace, beginning with a `resume` span,
 * and the result carries that trace. (Spans still buffered in the killed process may be lost.)
 */
import { expect } from 'chai'
import { startOtlpReceiver, type OtlpReceiver } from '../../../dev/otlp-receiver.js'
import { RequestTopics, ResultTopics } from '../../../src/codecs/topics.js'
import { crashAndRecover } from '../../support/crash-and-recover.js'
import type { HarnessOptions } from '../../support/service-harness.js'
import { useHarness } from '../../support/harness-hooks.js'
import { createRequest } from '../../support/request-builders.js'
import { newTraceparent, one, otelEnv, spansOf, traceIdIn } from '../../support/trace-helpers.js'

describe('tracing across a SIGKILL and a restart', function () {
  this.timeout(180_000)
  let receiver: OtlpReceiver | undefined
  const harness: { -readonly [K in keyof HarnessOptions]: HarnessOptions[K] } = {}
  before(async () => {
    receiver = await startOtlpReceiver()
    harness.env = otelEnv(receiver.url)
  })
  const ctx = useHarness({ service: false, harness })
  after(async () => receiver?.stop())

  it('killed after the first dashboard: the restarted process continues the same trace with a resume span', async () => {
    const incoming = newTraceparent()
    const request = { ...createRequest('trace-crash'), traceparent: incoming.traceparent }
    const copies = await crashAndRecover(ctx, 'after-append:upsertDashboard', request, RequestTopics.create)
    expect(copies.length).to.be.greaterThan(0)
    for (const copy of copies) expect(traceIdIn(copy.headers['traceparent'])).to.equal(incoming.traceId)

    const publishName = `publish ${ResultTopics.create}`
    // the survivor flushes its spans when it stops (SIGTERM)
    await receiver?.waitFor((all) => spansOf(all, incoming.traceId).some((s) => s.name === publishName), 30_000)
    const trace = spansOf(receiver?.spans ?? [], incoming.traceId)
    const resume = one(trace, 'resume')
    expect(resume.attributes).to.include({ 'telemetry.resumed': true, 'telemetry.request_id': request.id })
    // the survivor's spans hang under the consumer span the killed process started (kept in RequestAccepted)
    const publishSpan = one(trace, publishName)
    expect(publishSpan.parentSpanId).to.equal(resume.parentSpanId)
    const consume = trace.find((s) => s.spanId === resume.parentSpanId)
    if (consume !== undefined) expect(consume.parentSpanId).to.equal(incoming.spanId)
    expect(trace.every((s) => s.traceId === incoming.traceId)).to.equal(true)
  })
})
