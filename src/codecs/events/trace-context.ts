/**
 * A W3C trace context as events and snapshots keep it (see support/tracing/trace-context.ts):
 * a well-formed `traceparent`, and `tracestate` when the request had a valid one.
 */
import * as t from 'io-ts'
import { isValidTracestate, parseTraceparent } from '../../support/tracing/trace-context.js'
import { isRecord } from './event-head.js'

const Traceparent = new t.Type<string, string, unknown>(
  'Traceparent',
  (u): u is string => typeof u === 'string' && parseTraceparent(u) !== undefined,
  (u, c) => (typeof u === 'string' && parseTraceparent(u) !== undefined ? t.success(u) : t.failure(u, c, 'expected a W3C traceparent')),
  (s) => s,
)

const Tracestate = new t.Type<string, string, unknown>(
  'Tracestate',
  (u): u is string => typeof u === 'string' && isValidTracestate(u),
  (u, c) => (typeof u === 'string' && isValidTracestate(u) ? t.success(u) : t.failure(u, c, 'expected a W3C tracestate')),
  (s) => s,
)

export const TraceContextCodec = t.intersection([t.type({ traceparent: Traceparent }), t.partial({ tracestate: Tracestate })], 'TraceContext')

/** `u` already is a decoded trace context (the events' fast path). */
export const isDecodedTraceContext = (u: unknown): boolean =>
  isRecord(u) && TraceContextCodec.is(u) && Object.keys(u).every((k) => k === 'traceparent' || k === 'tracestate')

/** An optional context field: absent, or a decoded context. */
export const isAbsentOrTraceContext = (u: Readonly<Record<string, unknown>>, key: string): boolean => !Object.hasOwn(u, key) || isDecodedTraceContext(u[key])
