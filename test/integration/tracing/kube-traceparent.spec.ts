/**
 * Kubernetes requests carry W3C `traceparent`: each call of either scrape backend sends the
 * context of its own CLIENT span, so the apiserver's side joins the trace. Checked end to end
 * (Kafka → Redis → Kubernetes simulator, which records the headers it received → Kafka) against
 * the spans the service exported to an OTLP/HTTP receiver in the test process.
 */
import { expect } from 'chai'
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../../../dev/otlp-receiver.js'
import type { TracedRequest } from '../../../dev/kube-simulator/index.js'
import { DEV_SECRET } from '../../../dev/dev-stack.js'
import { ResultTopics } from '../../../src/codecs/topics.js'
import { tracingFromEnv } from '../../../src/config/tracing-env.js'
import { startTracing } from '../../../src/support/tracing/otel-sdk.js'
import type { HarnessOptions } from '../../support/service-harness.js'
import { useHarness, type HarnessContext } from '../../support/harness-hooks.js'
import { createRequest, dataOf, envelopeOf, publishRequests, resultOf } from '../../support/request-builders.js'
import { OTLP_KIND, named, newTraceparent, one, otelEnv, spansOf, traceIdIn } from '../../support/trace-helpers.js'

const PUBLISH_CREATE = `publish ${ResultTopics.create}`

/** A Kubernetes CLIENT span (the step's Redis `append` is a CLIENT span too). */
const isKubeCall = (span: ReceivedSpan): boolean => span.attributes['telemetry.k8s.resource'] !== undefined

/** What the simulator received for one CLIENT span: its headers name the span as the parent. */
const receivedFor = (requests: readonly TracedRequest[], span: ReceivedSpan): TracedRequest[] =>
  requests.filter((r) => r.traceparent === `00-${span.traceId}-${span.spanId}-01`)

describe('tracing: Kubernetes requests carry the traceparent of their CLIENT span', function () {
  this.timeout(120_000)
  let receiver: OtlpReceiver | undefined
  const harness = (env: Record<string, string>): { -readonly [K in keyof HarnessOptions]: HarnessOptions[K] } => ({ env })
  const secretMode = harness({})
  const scrapeConfigMode = harness({ SCRAPE_CONFIG_BACKEND: 'scrapeconfig' })
  before(async () => {
    receiver = await startOtlpReceiver()
    for (const options of [secretMode, scrapeConfigMode]) options.tracing = startTracing(tracingFromEnv(otelEnv(receiver.url)).settings)
  })
  after(async () => {
    await secretMode.tracing?.shutdown()
    await scrapeConfigMode.tracing?.shutdown()
    await receiver?.stop()
  })
  const spans = () => receiver?.spans ?? []

  /** A traced create, answered SUCCESS, with its spans exported up to the publish. */
  const tracedCreate = async (ctx: HarnessContext, serviceId: string) => {
    const incoming = newTraceparent()
    const request = { ...createRequest(serviceId), traceparent: incoming.traceparent }
    await publishRequests([request])
    const answer = await resultOf(ctx.results, request)
    expect(dataOf(answer)).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    await receiver?.waitFor((all) => named(spansOf(all, incoming.traceId), PUBLISH_CREATE).length > 0, 30_000)
    return incoming
  }

  /** Every simulator request that names a span as its parent names a Kubernetes CLIENT span of the service. */
  const expectOnlyClientSpansAsParents = (requests: readonly TracedRequest[]) => {
    for (const request of requests) {
      const [, traceId, spanId] = request.traceparent.split('-')
      const parent = spans().find((s) => s.traceId === traceId && s.spanId === spanId)
      if (parent === undefined) continue // a span still in the exporter's batch, or a readiness probe's
      expect(parent.kind, `${request.kind} ${parent.name}`).to.equal(OTLP_KIND.client)
      expect(isKubeCall(parent), parent.name).to.equal(true)
    }
  }

  describe('secret mode', () => {
    const ctx = useHarness({ harness: secretMode })

    it("the group-committed write's PUT (and any GET) carry the write's trace and their CLIENT span as parent", async () => {
      const incoming = await tracedCreate(ctx, 'kube-trace-secret')
      const register = one(spansOf(spans(), incoming.traceId), 'register job')
      // the write serves many requests: its own trace, linked from this request's register step
      await receiver?.waitFor((all) => all.some((s) => s.name === 'write secret' && s.links.some((l) => l.spanId === register.spanId)), 30_000)
      const write = spans().find((s) => s.name === 'write secret' && s.links.some((l) => l.spanId === register.spanId))
      expect(write?.links.find((l) => l.spanId === register.spanId)?.traceId).to.equal(incoming.traceId)
      await receiver?.waitFor((all) => all.some((s) => s.parentSpanId === write?.spanId && s.name === 'PUT secret'), 30_000)
      const calls = spans().filter((s) => s.parentSpanId === write?.spanId && isKubeCall(s))
      expect(calls.map((s) => s.name)).to.include('PUT secret')

      const received = ctx.harness.stack.kube.tracedRequests
      for (const call of calls) {
        expect(call.kind, call.name).to.equal(OTLP_KIND.client)
        const sent = receivedFor(received, call)
        expect(sent, `${call.name}: the request that carried its traceparent`).to.have.length.at.least(1)
        for (const request of sent) {
          expect(request.kind, call.name).to.equal(call.name === 'PUT secret' ? 'secret.put' : 'secret.get')
          expect(request.traceparent.split('-')[1], call.name).to.equal(write?.traceId)
        }
      }
      expectOnlyClientSpansAsParents(received)
    })
  })

  describe('scrapeconfig mode', () => {
    const ctx = useHarness({ harness: scrapeConfigMode })

    it("the GET and the server-side apply carry the request's trace and their CLIENT span as parent", async () => {
      const incoming = await tracedCreate(ctx, 'kube-trace-scrapeconfig')
      const trace = spansOf(spans(), incoming.traceId)
      const step = one(trace, 'apply ScrapeConfig')
      const calls = trace.filter((s) => s.parentSpanId === step.spanId && isKubeCall(s))
      expect(calls.map((s) => s.name)).to.include.members(['read scrapeconfig', 'apply scrapeconfig'])

      const received = ctx.harness.stack.kube.tracedRequests
      const kindOfCall: Record<string, string> = { 'read scrapeconfig': 'scrapeconfig.get', 'apply scrapeconfig': 'scrapeconfig.patch' }
      for (const call of calls) {
        expect(call.kind, call.name).to.equal(OTLP_KIND.client)
        const sent = receivedFor(received, call)
        expect(sent, `${call.name}: the request that carried its traceparent`).to.have.length.at.least(1)
        for (const request of sent) {
          if (kindOfCall[call.name] !== undefined) expect(request.kind, call.name).to.equal(kindOfCall[call.name])
          expect(request.traceparent.split('-')[1], call.name).to.equal(incoming.traceId)
        }
      }
      expectOnlyClientSpansAsParents(received)
    })
  })

  describe('tracing off (the default)', () => {
    const ctx = useHarness({ harness: harness({}) })

    it("no Kubernetes request carries a traceparent; the request's own context is still passed on to its result", async () => {
      const incoming = newTraceparent()
      const request = { ...createRequest('kube-trace-off'), traceparent: incoming.traceparent }
      await publishRequests([request])
      const answer = await resultOf(ctx.results, request)
      expect(dataOf(answer)).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
      expect(traceIdIn(answer.headers['traceparent'])).to.equal(incoming.traceId)
      expect(envelopeOf(answer)).to.include({ traceparent: incoming.traceparent })
      expect(ctx.harness.stack.kube.secret(DEV_SECRET.namespace, DEV_SECRET.name)?.data[DEV_SECRET.key]).to.include('kube-trace-off')
      expect(ctx.harness.stack.kube.tracedRequests).to.deep.equal([])
    })
  })
})
