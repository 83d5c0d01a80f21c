/**
 * From a Kafka record's value to a typed request, never throwing.
 *
 * Checks run cheapest first and stop at the first failing stage: size, UTF-8 JSON, object,
 * CloudEvent envelope, known topic, `type` equal to the topic (SONATA sets type = topic, so a
 * mismatch means a message published to the wrong topic), then the topic's payload codec. A
 * rejection still carries whatever could be read (CloudEvent id, raw serviceId, kogito
 * attributes) so a FAILURE result can be correlated and the dead-letter record is useful.
 */
import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { CloudEvent, kogitoAttributesOf, type KogitoAttributes } from './cloud-event.js'
import { decodeWith, formatFailure, preview } from './decode.js'
import { CreateDashboardRequest, DeleteDashboardRequest, PlatformServiceRequest } from './requests.js'
import { requestKindOfTopic, type RequestKind } from './topics.js'

/** The CloudEvents distributed-tracing extension as the envelope carried it (unchecked strings; see codecs/incoming-trace.ts). */
export interface DistributedTracing {
  readonly traceparent?: string
  readonly tracestate?: string
}

interface Traced {
  readonly distributedTracing?: DistributedTracing
}

export type RequestMessage =
  | ({ readonly kind: 'create'; readonly envelope: CloudEvent; readonly kogito: KogitoAttributes; readonly payload: CreateDashboardRequest } & Traced)
  | ({ readonly kind: 'platform'; readonly envelope: CloudEvent; readonly kogito: KogitoAttributes; readonly payload: PlatformServiceRequest } & Traced)
  | ({ readonly kind: 'delete'; readonly envelope: CloudEvent; readonly kogito: KogitoAttributes; readonly payload: DeleteDashboardRequest } & Traced)

export interface RejectedMessage {
  /** one readable line: what was wrong */
  readonly reason: string
  /** every decode reason */
  readonly reasons: readonly string[]
  /** known from the topic */
  readonly kind?: RequestKind
  /** when readable */
  readonly cloudEventId?: string
  /** raw data.serviceId when it is a string (it may be invalid) */
  readonly serviceId?: string
  /** whatever was readable */
  readonly kogito: KogitoAttributes
  /**
   * A well-formed request refused only by a limit at the door: the inbox asks whether it was
   * accepted before (when the limit was looser) and then treats it as a redelivery
   */
  readonly overLimit?: RequestMessage
}

export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024

/** Longer echoes are useless for correlation and would bloat results and logs; they are omitted. */
const MAX_ECHO_CHARS = 1024

// Encoded by their payload codec under a `data` key, so reasons read `data.serviceId: ...`.
const payloadCodecs = {
  create: t.type({ data: CreateDashboardRequest }),
  platform: t.type({ data: PlatformServiceRequest }),
  delete: t.type({ data: DeleteDashboardRequest }),
} as const

/** The one-line reason names the first few problems; `reasons` keeps them all. */
const MAX_REASONS_IN_LINE = 5
const summary = (reasons: readonly string[]): string =>
  reasons.length <= MAX_REASONS_IN_LINE
    ? formatFailure({ reasons })
    : `${formatFailure({ reasons: reasons.slice(0, MAX_REASONS_IN_LINE) })}; … and ${reasons.length - MAX_REASONS_IN_LINE} more`

const utf8 = new TextDecoder('utf-8', { fatal: true })

const echo = (u: unknown): string | undefined => (typeof u === 'string' && u.length <= MAX_ECHO_CHARS ? u : undefined)

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)

/** Only string values, bounded like every echo; anything else is not a trace context. */
const distributedTracingOf = (raw: Record<string, unknown>): Traced => {
  const traceparent = echo(raw['traceparent'])
  const tracestate = echo(raw['tracestate'])
  if (traceparent === undefined && tracestate === undefined) return {}
  return { distributedTracing: { ...(traceparent === undefined ? {} : { traceparent }), ...(tracestate === undefined ? {} : { tracestate }) } }
}

/** UTF-8 (strict) JSON, or a one-line reason. */
export const parseJsonBytes = (value: Buffer): Either<string, unknown> => {
  try {
    return right(JSON.parse(utf8.decode(value)) as unknown)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return left(`malformed JSON: ${message.slice(0, 200)}`)
  }
}

/** A rejection of a record on `topic`, with what is known of the request (its kind from the topic, plus `known`). */
export const rejectOnTopic =
  (topic: string, known: Partial<Omit<RejectedMessage, 'kind' | 'reason' | 'reasons'>> = {}) =>
  (reason: string, reasons: readonly string[] = [reason]): Either<RejectedMessage, RequestMessage> => {
    const kind = requestKindOfTopic(topic)
    return left({ ...(kind === undefined ? {} : { kind }), kogito: {}, ...known, reason, reasons })
  }

export const decodeRequestMessage = (
  topic: string,
  value: Buffer | null,
  maxBytes: number = DEFAULT_MAX_MESSAGE_BYTES,
): Either<RejectedMessage, RequestMessage> => {
  const reject = rejectOnTopic(topic)

  if (value === null) return reject('empty message: the record has no value (tombstone)')
  if (value.length === 0) return reject('empty message: the record value is 0 bytes')
  if (value.length > maxBytes) return reject(`message too large: ${value.length} bytes exceeds the limit of ${maxBytes} bytes`)

  const parsed = parseJsonBytes(value)
  if (isLeft(parsed)) return reject(parsed.left)
  return decodeRequestObject(topic, parsed.right)
}

/**
 * From a parsed envelope (structured mode's JSON, or the object binary mode assembles from its
 * `ce_*` headers and value) to a typed request: both modes share every check from here on.
 */
export const decodeRequestObject = (topic: string, raw: unknown): Either<RejectedMessage, RequestMessage> => {
  const kind = requestKindOfTopic(topic)
  let info: Omit<RejectedMessage, 'reason' | 'reasons'> = kind === undefined ? { kogito: {} } : { kind, kogito: {} }
  const reject = (reason: string, reasons: readonly string[] = [reason]): Either<RejectedMessage, RequestMessage> => left({ ...info, reason, reasons })
  if (!isRecord(raw)) return reject(`not a CloudEvent: expected a JSON object, got ${preview(raw)}`)

  const data = raw['data']
  const id = echo(raw['id'])
  const serviceId = isRecord(data) ? echo(data['serviceId']) : undefined
  info = { ...info, kogito: kogitoAttributesOf(raw), ...(id === undefined ? {} : { cloudEventId: id }), ...(serviceId === undefined ? {} : { serviceId }) }

  if (raw['specversion'] !== '1.0') {
    const found = raw['specversion'] === undefined ? 'missing' : preview(raw['specversion'])
    return reject(`unsupported CloudEvents specversion: expected "1.0", got ${found}`, [`specversion: expected "1.0", got ${found}`])
  }
  const envelope = decodeWith(CloudEvent)(raw)
  if (isLeft(envelope)) return reject(`invalid CloudEvent envelope: ${summary(envelope.left.reasons)}`, envelope.left.reasons)

  if (kind === undefined) return reject(`unknown topic ${preview(topic)}: not a request topic`)
  if (envelope.right.type !== topic) {
    return reject(`CloudEvent type ${preview(envelope.right.type)} does not match topic "${topic}"`)
  }

  const kogito = info.kogito
  const env = envelope.right
  const traced = distributedTracingOf(raw)
  switch (kind) {
    case 'create': {
      const p = decodeWith(payloadCodecs.create)(raw)
      return isLeft(p)
        ? reject(`invalid ${kind} request: ${summary(p.left.reasons)}`, p.left.reasons)
        : right({ kind, envelope: env, kogito, payload: p.right.data, ...traced })
    }
    case 'platform': {
      const p = decodeWith(payloadCodecs.platform)(raw)
      return isLeft(p)
        ? reject(`invalid ${kind} request: ${summary(p.left.reasons)}`, p.left.reasons)
        : right({ kind, envelope: env, kogito, payload: p.right.data, ...traced })
    }
    case 'delete': {
      const p = decodeWith(payloadCodecs.delete)(raw)
      return isLeft(p)
        ? reject(`invalid ${kind} request: ${summary(p.left.reasons)}`, p.left.reasons)
        : right({ kind, envelope: env, kogito, payload: p.right.data, ...traced })
    }
  }
}
