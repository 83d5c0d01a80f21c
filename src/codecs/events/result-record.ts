import * as t from 'io-ts'
import { isRecord } from './event-head.js'
import { TraceContextCodec, isAbsentOrTraceContext } from './trace-context.js'

/**
 * A result message exactly as it is (re-)published: recorded BEFORE sending so a re-send is
 * identical. `trace`: the request's trace, which its publish span continues (and whose context
 * the record's `traceparent` header then carries).
 */
export const ResultRecord = t.intersection(
  [t.type({ topic: t.string, key: t.string, value: t.string }), t.partial({ trace: TraceContextCodec })],
  'ResultRecord',
)
export type ResultRecord = t.TypeOf<typeof ResultRecord>

/** A record on its way to the broker: Kafka headers (trace context) next to the recorded bytes. */
export interface OutgoingRecord extends ResultRecord {
  readonly headers?: Readonly<Record<string, string>>
}

/** `u` already is a decoded ResultRecord (see hasEventHead). */
export const isDecodedResultRecord = (u: unknown): u is ResultRecord =>
  isRecord(u) && typeof u['topic'] === 'string' && typeof u['key'] === 'string' && typeof u['value'] === 'string' && isAbsentOrTraceContext(u, 'trace')
