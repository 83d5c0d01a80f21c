/**
 * The drain's Redis calls as CLIENT spans at the store door, started from the item's context: the
 * append under the context it is given (the step it records), the load, once answered, under the head
 * pending request's stored context; nothing for an idle service, nothing at all with tracing off.
 */
import { expect } from 'chai'
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace'
import { tracingFromEnv } from '../../../src/config/tracing-env.js'
import { tracedStore } from '../../../src/state/store/traced-store.js'
import { startTracing } from '../../../src/support/tracing/otel-sdk.js'
import type { TraceContext } from '../../../src/support/tracing/trace-context.js'
import { NO_TRACING } from '../../../src/support/tracing/tracing.js'
import { MemoryEventStore } from '../../support/memory-event-store.js'
import { SERVICE, createAccepted, jobRegistered } from '../../fixtures/events.js'

const REQUEST = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) }
const STEP: TraceContext = { traceparent: `00-${REQUEST.traceId}-${'c'.repeat(16)}-01` }

describe('tracedStore: load and append spans at the store door', () => {
  const setUp = () => {
    const exporter = new InMemorySpanExporter()
    const tracing = startTracing(tracingFromEnv({ OTEL_TRACES_SAMPLER: 'always_on' }).settings, exporter)
    const memory = new MemoryEventStore()
    return { exporter, tracing, memory, store: tracedStore(memory, tracing) }
  }

  it('append: a CLIENT span under the given context, with its outcome (a conflict too)', async () => {
    const { exporter, store } = setUp()
    expect(await store.append(SERVICE, 0, [jobRegistered('r1', 'f')], undefined, 0, STEP)).to.deep.include({ ok: true })
    expect(await store.append(SERVICE, 0, [jobRegistered('r1', 'f')], undefined, 0, STEP)).to.deep.include({ ok: false })
    const spans = exporter.getFinishedSpans().filter((s) => s.name === 'append')
    expect(spans.map((s) => s.attributes['telemetry.append.outcome'])).to.deep.equal(['appended', 'conflict'])
    for (const span of spans) {
      expect(span.kind).to.equal(2) // CLIENT
      expect(span.spanContext().traceId).to.equal(REQUEST.traceId)
      expect(span.parentSpanContext?.spanId).to.equal('c'.repeat(16))
      expect(span.attributes).to.include({ 'db.system.name': 'redis', 'db.operation.name': 'append', 'telemetry.service_id': SERVICE, 'telemetry.events': 1 })
    }
  })

  it('load: under the head pending request once read; an idle service or an append without context gets no span', async () => {
    const { exporter, store, memory } = setUp()
    await store.load(SERVICE)
    await store.append(SERVICE, 0, [{ ...createAccepted('r1'), trace: { traceparent: `00-${REQUEST.traceId}-${REQUEST.spanId}-01` } }], undefined, 0)
    expect(exporter.getFinishedSpans()).to.deep.equal([])
    expect((await store.load(SERVICE)).pending).to.have.length(1)
    const [load] = exporter.getFinishedSpans()
    expect(load?.name).to.equal('load')
    expect(load?.parentSpanContext?.spanId).to.equal(REQUEST.spanId)
    expect(load?.attributes).to.include({ 'db.operation.name': 'load', 'telemetry.version': 1 })
    // the other calls reach the store itself
    expect(await store.readEvents(SERVICE)).to.have.length(memory.stream(SERVICE).length)
  })

  it('tracing off: the store itself', () => {
    const memory = new MemoryEventStore()
    expect(tracedStore(memory, NO_TRACING)).to.equal(memory)
  })
})
