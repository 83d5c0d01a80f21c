/**
 * CloudEvents Kafka protocol binding, binary content mode, on input: the attributes travel as
 * `ce_<name>` headers (Kogito's `kogito*` extensions too, e.g. `ce_kogitoprocinstanceid`), the
 * data's media type as the `content-type` header, and the record value is the data alone.
 *
 * A record with a `ce_specversion` header is binary (as the binding says); anything else is
 * structured. Binary mode is turned into the envelope object structured mode would have carried
 * and then decoded by the same code (`decodeRequestObject`), so both modes give the same request
 * and the same reasons. Headers are untrusted input: their count, name and value lengths are
 * bounded, and their bytes count towards the message size limit.
 */
import { isLeft, type Either } from 'fp-ts/lib/Either.js'
import { kogitoAttributesOf } from './cloud-event.js'
import type { Delivery, RecordHeaders } from './delivery.js'
import { preview } from './decode.js'
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  decodeRequestMessage,
  decodeRequestObject,
  parseJsonBytes,
  rejectOnTopic,
  type RejectedMessage,
  type RequestMessage,
} from './request-message.js'

export const HEADER_LIMITS = { count: 64, nameChars: 64, valueBytes: 4096 } as const

const CE_PREFIX = 'ce_'
/** `ce_` + a CloudEvents attribute name (lower-case letters and digits, at most 20 by the spec; we allow 64). */
const ATTRIBUTE_NAME = /^[a-z0-9]{1,64}$/
/** JSON data: `application/json`, any `+json` suffix, with or without parameters. */
const JSON_MEDIA_TYPE = /^application\/(?:[a-z0-9.+-]*\+)?json\s*(?:;.*)?$/i

export const isBinaryMode = (headers: RecordHeaders | undefined): boolean => headers?.['ce_specversion'] !== undefined

type Attributes = Record<string, string>

const bytesOf = (value: Buffer | string): Buffer => (Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8'))
const utf8 = new TextDecoder('utf-8', { fatal: true })

interface ReadHeaders {
  readonly attributes: Attributes
  readonly contentType?: string
  readonly bytes: number
  /** the first header that breaks a bound or the binding; the attributes read fine are kept for correlation */
  readonly problem?: string
}

interface HeaderRead {
  readonly bytes: number
  readonly text?: string
  readonly problem?: string
  readonly outOfBounds?: true
}

const oneHeader = (name: string, raw: Buffer | string | ReadonlyArray<Buffer | string>): HeaderRead => {
  if (name.length > HEADER_LIMITS.nameChars)
    return { bytes: 0, outOfBounds: true, problem: `header name too long: ${preview(name)} (${name.length} characters, limit ${HEADER_LIMITS.nameChars})` }
  const buffers = (Array.isArray(raw) ? (raw as ReadonlyArray<Buffer | string>) : [raw as Buffer | string]).map(bytesOf)
  const bytes = buffers.reduce((n, b) => n + name.length + b.length, 0)
  const tooLong = buffers.find((b) => b.length > HEADER_LIMITS.valueBytes)
  if (tooLong !== undefined)
    return { bytes, outOfBounds: true, problem: `header ${preview(name)} too long: ${tooLong.length} bytes exceeds the limit of ${HEADER_LIMITS.valueBytes}` }
  const [only] = buffers
  if (buffers.length !== 1 || only === undefined)
    return { bytes, problem: `header ${preview(name)} appears ${buffers.length} times: a CloudEvent attribute has one value` }
  try {
    return { bytes, text: utf8.decode(only) }
  } catch {
    return { bytes, problem: `header ${preview(name)} is not UTF-8` }
  }
}

/** The `ce_*` headers as attributes and the content type; other headers only count towards the size. */
const readHeaders = (headers: RecordHeaders): ReadHeaders => {
  const names = Object.keys(headers)
  if (names.length > HEADER_LIMITS.count)
    return { attributes: {}, bytes: 0, problem: `too many headers: ${names.length} exceeds the limit of ${HEADER_LIMITS.count}` }
  const attributes: Attributes = {}
  let contentType: string | undefined
  let bytes = 0
  let problem: string | undefined
  for (const name of names) {
    const raw = headers[name]
    if (raw === undefined) continue
    const lower = name.toLowerCase()
    const attribute = lower.startsWith(CE_PREFIX) ? lower.slice(CE_PREFIX.length) : undefined
    const header = oneHeader(name, raw)
    bytes += header.bytes
    if (attribute === undefined && lower !== 'content-type') {
      // other headers (tracing, …) are not read, but they are bounded all the same
      if (header.outOfBounds === true) problem ??= header.problem
      continue
    }
    problem ??= header.problem
    if (header.text === undefined) continue
    if (attribute === undefined) contentType = header.text
    else if (!ATTRIBUTE_NAME.test(attribute)) problem ??= `header ${preview(name)} does not name a CloudEvents attribute (ce_ + lower-case letters and digits)`
    else if (attribute === 'data' || attribute === 'datacontenttype')
      problem ??= `header ${preview(name)} is not allowed in binary mode (the value is the data, content-type its type)`
    else attributes[attribute] = header.text
  }
  return { attributes, ...(contentType === undefined ? {} : { contentType }), bytes, ...(problem === undefined ? {} : { problem }) }
}

/** A rejection that still carries what the headers told (id, kogito*) so a FAILURE can be correlated. */
const rejectWithAttributes = (topic: string, attributes: Attributes, reason: string): Either<RejectedMessage, RequestMessage> => {
  const id = attributes['id']
  return rejectOnTopic(topic, { kogito: kogitoAttributesOf(attributes), ...(id === undefined || id === '' ? {} : { cloudEventId: id }) })(reason)
}

/** A binary-mode record → the structured envelope object it stands for → the shared decoder. */
export const decodeBinaryRequest = (
  topic: string,
  headers: RecordHeaders,
  value: Buffer | null,
  maxBytes: number = DEFAULT_MAX_MESSAGE_BYTES,
): Either<RejectedMessage, RequestMessage> => {
  const reject = rejectOnTopic(topic)
  const read = readHeaders(headers)
  if (read.problem !== undefined) return rejectWithAttributes(topic, read.attributes, `invalid binary-mode CloudEvent: ${read.problem}`)
  const size = read.bytes + (value?.length ?? 0)
  if (size > maxBytes) return reject(`message too large: ${size} bytes (headers and value) exceeds the limit of ${maxBytes} bytes`)
  const contentType = read.contentType
  if (contentType !== undefined && !JSON_MEDIA_TYPE.test(contentType.trim())) {
    return rejectWithAttributes(topic, read.attributes, `unsupported content-type ${preview(contentType)}: request data is JSON`)
  }
  let data: unknown
  if (value !== null && value.length > 0) {
    const parsed = parseJsonBytes(value)
    if (isLeft(parsed)) return rejectWithAttributes(topic, read.attributes, parsed.left)
    data = parsed.right
  }
  return decodeRequestObject(topic, { ...read.attributes, ...(contentType === undefined ? {} : { datacontenttype: contentType }), data })
}

/** Either content mode, as the ingest decodes every record. */
export const decodeRequestDelivery = (
  delivery: Pick<Delivery, 'topic' | 'value' | 'headers'>,
  maxBytes: number = DEFAULT_MAX_MESSAGE_BYTES,
): Either<RejectedMessage, RequestMessage> =>
  delivery.headers !== undefined && isBinaryMode(delivery.headers)
    ? decodeBinaryRequest(delivery.topic, delivery.headers, delivery.value, maxBytes)
    : decodeRequestMessage(delivery.topic, delivery.value, maxBytes)
