/**
 * Tracing in end-to-end specs: an OTLP/HTTP receiver in the test process (dev/otlp-receiver.ts),
 * the OTEL_* environment that points the service at it, and W3C ids to send and check.
 */
import { randomBytes } from 'node:crypto'
import type { ReceivedSpan } from '../../dev/otlp-receiver.js'

/** OTLP's kind numbers (SpanKind + 1). */
export const OTLP_KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const

/** The receiver as the service's exporter, http/json, exporting within ~100 ms. */
export const otelEnv = (receiverUrl: string): Record<string, string> => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl,
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  OTEL_BSP_SCHEDULE_DELAY: '100',
  OTEL_SERVICE_NAME: 'telemetry-client-test',
})

export const newTraceparent = (sampled = true): { readonly traceparent: string; readonly traceId: string; readonly spanId: string } => {
  const traceId = randomBytes(16).toString('hex')
  const spanId = randomBytes(8).toString('hex')
  return { traceparent: `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`, traceId, spanId }
}

export const traceIdIn = (traceparent: string | undefined): string | undefined => traceparent?.split('-')[1]

export const spansOf = (spans: readonly ReceivedSpan[], traceId: string): ReceivedSpan[] => spans.filter((s) => s.traceId === traceId)

export const named = (spans: readonly ReceivedSpan[], name: string): ReceivedSpan[] => spans.filter((s) => s.name === name)

export const one = (spans: readonly ReceivedSpan[], name: string): ReceivedSpan => {
  const found = named(spans, name)
  if (found.length !== 1) throw new Error(`expected one span "${name}", found ${found.length} among: ${spans.map((s) => s.name).join(', ')}`)
  return found[0] as ReceivedSpan
}

/** The chain of span names from `span` up to the trace's root (or the first parent not received). */
export const ancestry = (spans: readonly ReceivedSpan[], span: ReceivedSpan): string[] => {
  const chain: string[] = []
  let parent = span.parentSpanId
  while (parent !== undefined) {
    const found = spans.find((s) => s.spanId === parent)
    if (found === undefined) break
    chain.push(found.name)
    parent = found.parentSpanId
  }
  return chain
}
