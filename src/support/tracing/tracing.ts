/**
 * The service's tracing handle. Spans start from a `TraceContext` an item carries (a request's
 * stored context, a step's span), never from ambient state across Subjects, timers or lanes.
 *
 * `within`/`current` exist for the two client doors only (Grafana transport, Kubernetes calls):
 * an effect opens a scope with its item's context right where it calls a client, and the door's
 * CLIENT span takes its parent from that scope (the call's own promise chain). A group commit
 * opens its own scope, so a write never inherits the context of the lane that happened to wake it.
 *
 * Off (`enabled` false) nothing is allocated: no span, no scope; contexts pass through untouched
 * (a request's incoming traceparent still reaches its result, as CloudEvents distributed tracing asks).
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  createTraceState,
  isSpanContextValid,
  trace,
  type Attributes,
  type Link,
  type Span,
  type SpanContext,
  type Tracer,
} from '@opentelemetry/api'
import { formatTraceparent, parseTraceparent, type TraceContext } from './trace-context.js'

export { SpanKind, SpanStatusCode, type Span }

export interface SpanStart {
  readonly kind?: SpanKind
  readonly attributes?: Attributes
  /** contexts this span is linked from (a group commit's requests) */
  readonly links?: readonly (TraceContext | undefined)[]
  /** epoch ms */
  readonly startTime?: number
}

export interface Tracing {
  /** false: no span is ever started; carried contexts still travel to the result */
  readonly enabled: boolean
  /** false when OTEL_PROPAGATORS leaves out tracecontext: no context is read from input or written to output */
  readonly propagate: boolean
  /** a span whose parent is `parent` (a new trace when undefined); only call when `enabled` */
  startSpan(name: string, parent: TraceContext | undefined, start?: SpanStart): Span
  /** the scope a door's CLIENT span takes its parent from (see above) */
  within<T>(ctx: TraceContext | undefined, fn: () => T): T
  current(): TraceContext | undefined
  forceFlush(): Promise<void>
  shutdown(): Promise<void>
}

const spanContextOf = (ctx: TraceContext): SpanContext | undefined => {
  const parsed = parseTraceparent(ctx.traceparent)
  return parsed === undefined ? undefined : ctx.tracestate === undefined ? parsed : { ...parsed, traceState: createTraceState(ctx.tracestate) }
}

/** The context a span's children (and the next hop) continue from; undefined for an invalid span. */
export const traceContextOfSpan = (span: Span): TraceContext | undefined => {
  const sc = span.spanContext()
  if (!isSpanContextValid(sc)) return undefined
  const state = sc.traceState?.serialize()
  return state === undefined || state === '' ? { traceparent: formatTraceparent(sc) } : { traceparent: formatTraceparent(sc), tracestate: state }
}

/** Record a failure on a span: the exception (or reason) and an ERROR status. */
export const failSpan = (span: Span, error: unknown): void => {
  const message = error instanceof Error ? error.message : String(error)
  if (error instanceof Error) span.recordException(error)
  else span.addEvent('exception', { 'exception.message': message })
  span.setStatus({ code: SpanStatusCode.ERROR, message: message.slice(0, 500) })
}

export interface TracingParts {
  readonly tracer: Tracer
  readonly propagate: boolean
  readonly forceFlush: () => Promise<void>
  readonly shutdown: () => Promise<void>
}

export const createTracing = (parts: TracingParts): Tracing => {
  const scope = new AsyncLocalStorage<TraceContext | undefined>()
  return {
    enabled: true,
    propagate: parts.propagate,
    startSpan: (name, parent, start = {}) => {
      const parentContext = parent === undefined ? undefined : spanContextOf(parent)
      const links: Link[] = []
      for (const link of start.links ?? []) {
        const context = link === undefined ? undefined : spanContextOf(link)
        if (context !== undefined) links.push({ context })
      }
      return parts.tracer.startSpan(
        name,
        {
          kind: start.kind ?? SpanKind.INTERNAL,
          ...(start.attributes === undefined ? {} : { attributes: start.attributes }),
          ...(links.length === 0 ? {} : { links }),
          ...(start.startTime === undefined ? {} : { startTime: start.startTime }),
        },
        parentContext === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, parentContext),
      )
    },
    within: (ctx, fn) => scope.run(ctx, fn),
    current: () => scope.getStore(),
    forceFlush: parts.forceFlush,
    shutdown: parts.shutdown,
  }
}

const done = (): Promise<void> => Promise.resolve()

/** Tracing off: contexts pass through (when `propagate`), nothing else happens. */
export const tracingOff = (propagate = true): Tracing => ({
  enabled: false,
  propagate,
  startSpan: () => trace.wrapSpanContext({ traceId: '', spanId: '', traceFlags: 0 }),
  within: (_ctx, fn) => fn(),
  current: () => undefined,
  forceFlush: done,
  shutdown: done,
})

export const NO_TRACING: Tracing = tracingOff()
