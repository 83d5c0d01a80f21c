/**
 * The inbox's spans: one CONSUMER `process <topic>` span per record (messaging and CloudEvents
 * semantic-convention attributes), and under each accepted one an `accept` CLIENT span for the
 * Redis append that made it durable. The trace a request continues in is decided here: the
 * incoming context (see codecs/incoming-trace.ts) or, without one, a new trace started at the
 * consumer. The resulting context goes into `RequestAccepted` as data.
 */
import type { Delivery } from '../codecs/delivery.js'
import { incomingTraceOf } from '../codecs/incoming-trace.js'
import type { RequestMessage } from '../codecs/request-message.js'
import type { InboxOutcome } from '../state/store/event-store.js'
import type { TraceContext } from '../support/tracing/trace-context.js'
import { SpanKind, failSpan, traceContextOfSpan, type Span, type Tracing } from '../support/tracing/tracing.js'

export interface ConsumedTrace {
  /** the context the request's work continues from (its consumer span, or the incoming one when tracing is off) */
  readonly trace?: TraceContext
  /** the context it arrived with */
  readonly requestTrace?: TraceContext
}

export interface ConsumeSpanOptions {
  readonly tracing: Tracing
  readonly consumerGroup: string
  readonly maxAttributeBytes: number
  /** told about each malformed trace value that was ignored */
  readonly onMalformed?: (what: string) => void
}

const NOTHING: ConsumedTrace = {}

/** Spans for the records of one batch; with tracing off only the incoming context is read. */
export const consumeSpans = (options: ConsumeSpanOptions | undefined, batchSize: number) => {
  const processes: Span[] = []
  const accepts: Span[] = []
  const tracing = options?.tracing

  const consume = (delivery: Delivery, message: RequestMessage | undefined): { readonly consumed: ConsumedTrace; readonly span?: Span } => {
    if (options === undefined || tracing === undefined || (!tracing.propagate && !tracing.enabled)) return { consumed: NOTHING }
    const incoming = tracing.propagate ? incomingTraceOf(delivery.headers, message ?? {}, options.maxAttributeBytes) : { malformed: [] }
    for (const what of incoming.malformed) options.onMalformed?.(what)
    const requestTrace = incoming.context
    if (!tracing.enabled) return { consumed: requestTrace === undefined ? NOTHING : { trace: requestTrace, requestTrace } }
    const span = tracing.startSpan(`process ${delivery.topic}`, requestTrace, {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'messaging.destination.name': delivery.topic,
        'messaging.destination.partition.id': String(delivery.partition),
        'messaging.kafka.offset': Number(delivery.offset),
        'messaging.consumer.group.name': options.consumerGroup,
        ...(delivery.key === null ? {} : { 'messaging.kafka.message.key': delivery.key.slice(0, 256) }),
        ...(message === undefined
          ? {}
          : {
              'cloudevents.event_id': message.envelope.id,
              'cloudevents.event_type': message.envelope.type,
              'cloudevents.event_source': message.envelope.source,
              'telemetry.service_id': message.payload.serviceId,
            }),
        ...(message?.kogito['kogitoprocinstanceid'] === undefined ? {} : { 'telemetry.kogitoprocinstanceid': message.kogito['kogitoprocinstanceid'] }),
        ...(incoming.source === undefined ? {} : { 'telemetry.trace_context.source': incoming.source }),
        ...(incoming.malformed.length === 0 ? {} : { 'telemetry.trace_context.malformed': [...incoming.malformed] }),
      },
    })
    processes.push(span)
    const trace = traceContextOfSpan(span) ?? requestTrace
    return { consumed: { ...(trace === undefined ? {} : { trace }), ...(requestTrace === undefined ? {} : { requestTrace }) }, span }
  }

  return {
    /** an accepted request: its context for RequestAccepted */
    accepted: (delivery: Delivery, message: RequestMessage): ConsumedTrace => {
      const { consumed, span } = consume(delivery, message)
      if (span !== undefined && tracing !== undefined) {
        accepts.push(
          tracing.startSpan('accept', consumed.trace, {
            kind: SpanKind.CLIENT,
            attributes: { 'db.system.name': 'redis', 'db.operation.name': 'accept', 'telemetry.batch.size': batchSize },
          }),
        )
      }
      return consumed
    },
    /** a rejected record: its span fails with the reason; the context its dead letter and FAILURE result carry */
    rejected: (delivery: Delivery, message: RequestMessage | undefined, reason: string): TraceContext | undefined => {
      const { consumed, span } = consume(delivery, message)
      if (span !== undefined) failSpan(span, reason)
      return consumed.trace
    },
    /** the batch is recorded (outcomes in the order of `accepted` calls) or failed for now */
    end: (outcomes: readonly InboxOutcome[] | undefined, error?: unknown): void => {
      accepts.forEach((span, i) => {
        const outcome = outcomes?.[i]?.outcome
        if (outcome !== undefined) span.setAttribute('telemetry.inbox.outcome', outcome)
        if (error !== undefined) failSpan(span, error)
        span.end()
      })
      processes.forEach((span) => span.end())
    },
  }
}
