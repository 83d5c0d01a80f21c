/**
 * CLIENT spans for the drain's Redis calls at the store door: `load` (snapshot + newer events) and
 * `append` (the expected-version Lua append). Each starts from the item's context, never ambient
 * state: an append from the context its caller passes (the step it records); a load, which runs
 * before the request is known, is recorded once it answered, from the start time taken before, under
 * the head pending request's context it read (a service with nothing pending gets no span).
 * With tracing off the store is returned as it is.
 */
import type { ServiceState } from '../service-state.js'
import type { TraceContext } from '../../support/tracing/trace-context.js'
import { SpanKind, failSpan, type Tracing } from '../../support/tracing/tracing.js'
import type { EventStore } from './event-store.js'

const REDIS = { 'db.system.name': 'redis' } as const

const headTrace = (state: ServiceState): TraceContext | undefined => state.pending[0]?.trace

export const tracedStore = (store: EventStore, tracing: Tracing): EventStore => {
  if (!tracing.enabled) return store
  // every other call delegated as is (a method call on `store`, so a class-based store keeps its `this`)
  return {
    seen: (requests) => store.seen(requests),
    accept: (entries, nowMs) => store.accept(entries, nowMs),
    readEvents: (serviceId, afterVersion) => store.readEvents(serviceId, afterVersion),
    readSnapshotText: (serviceId) => store.readSnapshotText(serviceId),
    writeSnapshot: (state) => store.writeSnapshot(state),
    listServices: () => store.listServices(),
    pendingServices: () => store.pendingServices(),
    clearPending: (serviceId, version) => store.clearPending(serviceId, version),
    ping: () => store.ping(),
    load: async (serviceId) => {
      const startTime = Date.now()
      const state = await store.load(serviceId)
      const parent = headTrace(state)
      if (parent !== undefined) {
        tracing
          .startSpan('load', parent, {
            kind: SpanKind.CLIENT,
            startTime,
            attributes: { ...REDIS, 'db.operation.name': 'load', 'telemetry.service_id': serviceId, 'telemetry.version': state.version },
          })
          .end()
      }
      return state
    },
    append: async (serviceId, expectedVersion, events, snapshot, nowMs, trace) => {
      if (trace === undefined) return store.append(serviceId, expectedVersion, events, snapshot, nowMs)
      const span = tracing.startSpan('append', trace, {
        kind: SpanKind.CLIENT,
        attributes: {
          ...REDIS,
          'db.operation.name': 'append',
          'telemetry.service_id': serviceId,
          'telemetry.expected_version': expectedVersion,
          'telemetry.events': events.length,
        },
      })
      try {
        const result = await store.append(serviceId, expectedVersion, events, snapshot, nowMs)
        span.setAttribute('telemetry.append.outcome', result.ok ? 'appended' : 'conflict')
        return result
      } catch (error) {
        failSpan(span, error)
        throw error
      } finally {
        span.end()
      }
    },
  }
}
