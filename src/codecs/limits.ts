/**
 * Limits at the door: what one request may weigh, checked before it is accepted into the inbox.
 *
 * Everything a request carries is copied: its CloudEvent id and `kogito*` attributes into every
 * event of its service's log and into its result (the process instance id twice), its namespaces
 * into a job of the shared secret (1 MiB for every tenant) and into dashboards. Without a bound one
 * request could fill the secret, grow a Redis stream without end or make a result larger than
 * the broker accepts. A request over a limit is rejected like an undecodable one: a dead letter,
 * and a FAILURE result when its type and serviceId are readable; it never reaches the secret or
 * Grafana. The record's own size is checked first, at the entry of `decodeRequestMessage`.
 */
import { left, right, type Either } from 'fp-ts/lib/Either.js'
import type { KogitoAttributes } from './cloud-event.js'
import type { RejectedMessage, RequestMessage } from './request-message.js'
import type { CreateDashboardRequest } from './requests.js'

export interface RequestLimits {
  /** the whole Kafka record value (`MAX_REQUEST_BYTES`) */
  readonly maxRequestBytes: number
  /** the CloudEvent id (`MAX_CLOUDEVENT_ID_BYTES`) */
  readonly maxCloudEventIdBytes: number
  /** each other envelope attribute, name and value (`MAX_EXTENSION_ATTRIBUTE_BYTES`) */
  readonly maxExtensionAttributeBytes: number
  /** extension attributes of one envelope (`MAX_EXTENSION_ATTRIBUTES`) */
  readonly maxExtensionAttributes: number
  /** names and values of all extension attributes of one envelope together (`MAX_EXTENSION_ATTRIBUTES_BYTES`) */
  readonly maxExtensionAttributesBytes: number
  /** namespaces of one request (`MAX_NAMESPACES`) */
  readonly maxNamespaces: number
  /** one create's scrape job as rendered into the secret (`MAX_JOB_BYTES`) */
  readonly maxJobBytes: number
}

/**
 * A legitimate request is a few hundred bytes: ids are UUIDs, a handful of namespaces. The job
 * limit keeps one tenant at under 1% of the 1 MiB secret. The record limit stays at the former
 * MAX_MESSAGE_BYTES default (1 MiB): the finer limits do the bounding, and a record they reject is
 * still parsed, so its type and serviceId can be read and SONATA gets a FAILURE, not silence.
 */
export const DEFAULT_REQUEST_LIMITS: RequestLimits = {
  maxRequestBytes: 1024 * 1024,
  maxCloudEventIdBytes: 256,
  maxExtensionAttributeBytes: 1024,
  // Kogito sends about ten kogito* attributes of a few dozen bytes each
  maxExtensionAttributes: 32,
  maxExtensionAttributesBytes: 4096,
  maxNamespaces: 64,
  maxJobBytes: 8 * 1024,
}

/** Bytes of the create's job as the secret would hold it (the real renderer, injected from effects). */
export type JobBytes = (payload: CreateDashboardRequest) => number

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8')

const over = (what: string, size: number, limit: number, variable: string): string =>
  `${what} too large: ${size} bytes exceeds the limit of ${limit} bytes (${variable})`

/** What a result may echo of a request's `kogito*` attributes: each, how many, how many bytes together. */
export type EchoLimits = Pick<RequestLimits, 'maxExtensionAttributeBytes' | 'maxExtensionAttributes' | 'maxExtensionAttributesBytes'>

/** Kogito addresses the waiting process instance with it: kept first whenever it fits. */
const CORRELATION_ATTRIBUTE = 'kogitoprocinstanceid'

/**
 * Only the attributes within the limits: each (name and value), and together (count, and bytes
 * of names and values), the correlation attribute first, then in the request's order. What may
 * travel into a result or a log, whatever the request.
 */
export const boundedKogito = (kogito: KogitoAttributes, limits: EchoLimits): KogitoAttributes => {
  const out: Record<string, string> = {}
  let count = 0
  let total = 0
  const entries = Object.entries(kogito)
  const ordered = [...entries.filter(([name]) => name === CORRELATION_ATTRIBUTE), ...entries.filter(([name]) => name !== CORRELATION_ATTRIBUTE)]
  for (const [name, value] of ordered) {
    const size = bytes(name) + bytes(value)
    if (bytes(name) > limits.maxExtensionAttributeBytes || bytes(value) > limits.maxExtensionAttributeBytes) continue
    if (count + 1 > limits.maxExtensionAttributes || total + size > limits.maxExtensionAttributesBytes) continue
    out[name] = value
    count += 1
    total += size
  }
  return out
}

/** The CloudEvents core attributes; every other key of an envelope is an extension attribute. */
const CORE_ATTRIBUTES: ReadonlySet<string> = new Set([
  'specversion',
  'id',
  'source',
  'type',
  'time',
  'datacontenttype',
  'subject',
  'dataschema',
  'data',
  'data_base64',
])

/** Every extension attribute the envelope carries (kogito* and any other), as name and text. */
const extensionAttributes = (message: RequestMessage): ReadonlyArray<readonly [string, string]> => {
  const found = new Map<string, string>(Object.entries(message.kogito))
  for (const [name, value] of Object.entries(message.envelope as Record<string, unknown>)) {
    if (CORE_ATTRIBUTES.has(name) || found.has(name)) continue
    found.set(name, typeof value === 'string' ? value : (JSON.stringify(value) ?? ''))
  }
  return [...found.entries()]
}

const envelopeAttributes = (message: RequestMessage): ReadonlyArray<readonly [string, string]> => {
  const { source, type, time, datacontenttype, subject, dataschema } = message.envelope
  const standard = Object.entries({ source, type, time, datacontenttype, subject, dataschema }).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  )
  return [...standard, ...Object.entries(message.kogito)]
}

/** Every limit the decoded request breaks, in the order a reader would fix them. */
export const limitViolations = (message: RequestMessage, limits: RequestLimits, jobBytes: JobBytes): readonly string[] => {
  const reasons: string[] = []
  const idBytes = bytes(message.envelope.id)
  if (idBytes > limits.maxCloudEventIdBytes) reasons.push(over('CloudEvent id', idBytes, limits.maxCloudEventIdBytes, 'MAX_CLOUDEVENT_ID_BYTES'))
  for (const [name, value] of envelopeAttributes(message)) {
    const size = Math.max(bytes(name), bytes(value))
    // the name is shown cut short: it may itself be the oversized part
    if (size > limits.maxExtensionAttributeBytes)
      reasons.push(over(`attribute ${name.slice(0, 40)}`, size, limits.maxExtensionAttributeBytes, 'MAX_EXTENSION_ATTRIBUTE_BYTES'))
  }
  const extensions = extensionAttributes(message)
  if (extensions.length > limits.maxExtensionAttributes) {
    reasons.push(`too many extension attributes: ${extensions.length} exceeds the limit of ${limits.maxExtensionAttributes} (MAX_EXTENSION_ATTRIBUTES)`)
  }
  const extensionBytes = extensions.reduce((sum, [name, value]) => sum + bytes(name) + bytes(value), 0)
  if (extensionBytes > limits.maxExtensionAttributesBytes)
    reasons.push(over('extension attributes together', extensionBytes, limits.maxExtensionAttributesBytes, 'MAX_EXTENSION_ATTRIBUTES_BYTES'))
  const namespaces = 'namespaces' in message.payload ? message.payload.namespaces.length : 0
  if (namespaces > limits.maxNamespaces) reasons.push(`too many namespaces: ${namespaces} exceeds the limit of ${limits.maxNamespaces} (MAX_NAMESPACES)`)
  // rendering is the costly check: only for a request already within the cheap limits
  if (reasons.length === 0 && message.kind === 'create') {
    const size = jobBytes(message.payload)
    if (size > limits.maxJobBytes) reasons.push(over('scrape job', size, limits.maxJobBytes, 'MAX_JOB_BYTES'))
  }
  return reasons
}

/** The request, or its rejection carrying only what is within the limits (for the dead letter and the FAILURE result). */
export const checkRequestLimits = (message: RequestMessage, limits: RequestLimits, jobBytes: JobBytes): Either<RejectedMessage, RequestMessage> => {
  const reasons = limitViolations(message, limits, jobBytes)
  if (reasons.length === 0) return right(message)
  const id = message.envelope.id
  return left({
    reason: `request over a limit: ${reasons.join('; ')}`,
    reasons,
    kind: message.kind,
    serviceId: message.payload.serviceId,
    kogito: boundedKogito(message.kogito, limits),
    ...(bytes(id) <= limits.maxCloudEventIdBytes ? { cloudEventId: id } : {}),
    overLimit: message,
  })
}
