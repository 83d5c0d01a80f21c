/**
 * W3C trace context as data: the `traceparent`/`tracestate` strings a request brings, that its
 * events keep and its result carries. Kept as strings (not a live span) so it survives the event
 * log, a restart and a retry hours later; `parseTraceparent` turns it into a span context when a
 * span is started from it.
 */
import { TraceFlags, type SpanContext } from '@opentelemetry/api'

export interface TraceContext {
  readonly traceparent: string
  readonly tracestate?: string
}

/** version 00 as the spec defines it; a higher version is read by its first four fields. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/
const ZERO_TRACE = '00000000000000000000000000000000'
const ZERO_SPAN = '0000000000000000'

/** The W3C limit: a longer tracestate may be dropped by any participant. */
export const MAX_TRACESTATE_CHARS = 512
/** printable ASCII list members, at most 32 of them */
const TRACESTATE = /^[\x20-\x7e]*$/

export const parseTraceparent = (value: string): SpanContext | undefined => {
  const match = TRACEPARENT.exec(value)
  if (match === null) return undefined
  const [, version, traceId, spanId, flags, rest] = match
  if (version === undefined || traceId === undefined || spanId === undefined || flags === undefined) return undefined
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined
  return { traceId, spanId, traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED, isRemote: true }
}

export const isValidTracestate = (value: string): boolean => value.length <= MAX_TRACESTATE_CHARS && TRACESTATE.test(value) && value.split(',').length <= 32

export const formatTraceparent = (ctx: Pick<SpanContext, 'traceId' | 'spanId' | 'traceFlags'>): string =>
  `00-${ctx.traceId}-${ctx.spanId}-${(ctx.traceFlags & 1) === 1 ? '01' : '00'}`

/** A well-formed context from raw strings, or why not (a malformed tracestate alone is dropped). */
export const traceContextOf = (
  traceparent: string | undefined,
  tracestate: string | undefined,
): { readonly context?: TraceContext; readonly malformed?: string } => {
  if (traceparent === undefined) return {}
  if (parseTraceparent(traceparent) === undefined) return { malformed: 'traceparent' }
  if (tracestate === undefined || tracestate === '') return { context: { traceparent } }
  if (!isValidTracestate(tracestate)) return { context: { traceparent }, malformed: 'tracestate' }
  return { context: { traceparent, tracestate } }
}

/** The trace id of a stored context (for logs and `inspect`). */
export const traceIdOf = (ctx: TraceContext | undefined): string | undefined => (ctx === undefined ? undefined : parseTraceparent(ctx.traceparent)?.traceId)

/** The Kafka/HTTP headers that carry a context onward. */
export const traceHeaders = (ctx: TraceContext | undefined): Readonly<Record<string, string>> | undefined =>
  ctx === undefined ? undefined : ctx.tracestate === undefined ? { traceparent: ctx.traceparent } : { traceparent: ctx.traceparent, tracestate: ctx.tracestate }

/** `trace_id`/`span_id` for a log line written while handling a request (the field names log backends join on). */
export const logTraceFields = (ctx: TraceContext | undefined): { readonly trace_id?: string; readonly span_id?: string } => {
  const parsed = ctx === undefined ? undefined : parseTraceparent(ctx.traceparent)
  return parsed === undefined ? {} : { trace_id: parsed.traceId, span_id: parsed.spanId }
}
