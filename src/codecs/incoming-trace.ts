/**
 * Where a request's trace context comes from, first found wins: the Kafka record's `traceparent`
 * header (with its `tracestate`), then the CloudEvent's distributed-tracing extension (the
 * `traceparent`/`tracestate` attributes in structured mode, `ce_traceparent`/`ce_tracestate`
 * headers in binary mode, both read by the request decoders). A malformed value is ignored and
 * reported, never a reason to reject the request; values are bounded like every attribute.
 */
import type { RecordHeaders } from './delivery.js'
import type { RequestMessage } from './request-message.js'
import { traceContextOf, type TraceContext } from '../support/tracing/trace-context.js'

export type TraceSource = 'kafka-header' | 'cloudevent'

export interface IncomingTrace {
  readonly context?: TraceContext
  readonly source?: TraceSource
  /** which values were malformed and ignored (e.g. `kafka-header traceparent`) */
  readonly malformed: readonly string[]
}

const NONE: IncomingTrace = { malformed: [] }

/** One header as text, when it appears once and within the bound. */
const headerText = (headers: RecordHeaders | undefined, name: string, maxBytes: number): string | undefined | null => {
  const raw = headers?.[name]
  if (raw === undefined) return undefined
  if (Array.isArray(raw)) return null
  const value = raw as Buffer | string
  const length = typeof value === 'string' ? Buffer.byteLength(value) : value.length
  if (length > maxBytes) return null
  return typeof value === 'string' ? value : value.toString('utf8')
}

const bounded = (value: string | undefined, maxBytes: number): string | undefined | null =>
  value === undefined ? undefined : Buffer.byteLength(value) > maxBytes ? null : value

const fromPair = (source: TraceSource, parent: string | undefined | null, state: string | undefined | null, malformed: string[]): IncomingTrace | undefined => {
  if (parent === undefined) return undefined
  if (parent === null) {
    malformed.push(`${source} traceparent`)
    return undefined
  }
  const read = traceContextOf(parent, state ?? undefined)
  if (read.malformed !== undefined) malformed.push(`${source} ${read.malformed}`)
  if (state === null) malformed.push(`${source} tracestate`)
  return read.context === undefined ? undefined : { context: read.context, source, malformed }
}

export const incomingTraceOf = (
  headers: RecordHeaders | undefined,
  message: Pick<RequestMessage, 'distributedTracing'>,
  maxAttributeBytes: number,
): IncomingTrace => {
  const malformed: string[] = []
  const fromHeader = fromPair(
    'kafka-header',
    headerText(headers, 'traceparent', maxAttributeBytes),
    headerText(headers, 'tracestate', maxAttributeBytes),
    malformed,
  )
  if (fromHeader !== undefined) return fromHeader
  const attributes = message.distributedTracing
  const fromEvent = fromPair('cloudevent', bounded(attributes?.traceparent, maxAttributeBytes), bounded(attributes?.tracestate, maxAttributeBytes), malformed)
  if (fromEvent !== undefined) return fromEvent
  return malformed.length === 0 ? NONE : { malformed }
}
