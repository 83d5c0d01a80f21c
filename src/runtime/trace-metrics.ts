/** Trace context that could not be used: counted by where it was (malformed values are ignored, never fatal). */
import { Counter, type Registry } from 'prom-client'

export const createTraceMetrics = (registry: Registry): { readonly malformed: (where: string) => void } => {
  const malformed = new Counter({
    name: 'telemetry_trace_context_malformed_total',
    help: 'Incoming trace context values ignored as malformed or over a bound, by where they came from (kafka-header, cloudevent) and which (traceparent, tracestate)',
    labelNames: ['where'] as const,
    registers: [registry],
  })
  return { malformed: (where) => malformed.inc({ where }) }
}
