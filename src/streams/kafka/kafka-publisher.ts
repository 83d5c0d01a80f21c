/**
 * Sends result and dead-letter records. Structured-mode CloudEvents: the value is the whole
 * event as JSON, marked by the content-type header. Many records go out in one sendBatch.
 *
 * Nothing the service produces may exceed the broker's limit (KAFKA_MAX_RECORD_BYTES): a broker
 * refuses the whole produce request of a partition for one record over `message.max.bytes`, and
 * retrying cannot help, so a batch that carried such a record used to fail (and be retried) for
 * ever, taking every other record of the batch with it. Now:
 * - a record over the limit is never sent: a bounded dead letter naming it goes in its place;
 * - a batch the broker refuses for good (MESSAGE_TOO_LARGE, INVALID_RECORD, any non-retriable
 *   protocol error) is sent again one record at a time, to find the one(s) at fault; each of those
 *   is dead-lettered, the others go out;
 * - a retryable failure is thrown as before, and the caller retries.
 * The answer says, per record, whether it went out (or was dead-lettered in its place).
 */
import type { Producer } from 'kafkajs'
import type { OutgoingRecord, ResultRecord } from '../../codecs/events.js'
import { unsendableRecordLetter } from './dead-letter.js'

/** The producer, as the rest of the service may name it (Kafka has one door: this folder). */
export type ResultProducer = Producer

const HEADERS = { 'content-type': 'application/cloudevents+json; charset=UTF-8' }
/** Kafka's per-record overhead (batch header share, lengths, the header above), rounded up. */
const RECORD_OVERHEAD_BYTES = 256

/** Room for a dead letter with a 3 KiB payload prefix (see payloadPrefixBytes). */
const SMALL_LETTER_BYTES = 68 * 1024

/** Per record: undefined = out (or dead-lettered in its place), an Error = not out, retry it. */
export type SendOutcome = Error | undefined

export interface RecordSenderOptions {
  readonly maxRecordBytes: number
  readonly deadLetterTopic: string
  readonly now: () => Date
  /** told about each record that was dead-lettered instead of sent */
  readonly onUnsendable?: (record: ResultRecord, reason: string) => void
}

const PERMANENT_TYPES: readonly unknown[] = ['MESSAGE_TOO_LARGE', 'INVALID_RECORD', 'RECORD_LIST_TOO_LARGE', 'CORRUPT_MESSAGE']

interface KafkaErrorLike {
  readonly name?: unknown
  readonly type?: unknown
  readonly retriable?: unknown
  readonly cause?: unknown
  readonly originalError?: unknown
  readonly errors?: unknown
}

/** kafkajs wraps the broker's answer (KafkaJSNonRetriableError → cause → KafkaJSProtocolError): walk the chain. */
export const isPermanentSendError = (error: unknown, depth = 0): boolean => {
  if (depth > 8 || typeof error !== 'object' || error === null) return false
  const e = error as KafkaErrorLike
  if (PERMANENT_TYPES.includes(e.type)) return true
  if (e.name === 'KafkaJSProtocolError' && e.retriable === false) return true
  const inner = [e.cause, e.originalError, ...(Array.isArray(e.errors) ? (e.errors as unknown[]) : [])]
  return inner.some((i) => i !== error && isPermanentSendError(i, depth + 1))
}

const headerBytes = (headers: OutgoingRecord['headers']): number =>
  headers === undefined ? 0 : Object.entries(headers).reduce((n, [name, value]) => n + name.length + Buffer.byteLength(value), 0)

export const recordBytes = (record: OutgoingRecord): number =>
  Buffer.byteLength(record.value) + Buffer.byteLength(record.key) + headerBytes(record.headers) + RECORD_OVERHEAD_BYTES

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).slice(0, 500)

export const createRecordSender = (producer: Producer, options: RecordSenderOptions) => {
  const sendBatch = async (records: readonly OutgoingRecord[]): Promise<void> => {
    const byTopic = new Map<string, Array<{ key: string; value: string; headers: Readonly<Record<string, string>> }>>()
    for (const { topic, key, value, headers } of records) {
      const messages = byTopic.get(topic) ?? []
      // the trace context travels as headers (W3C traceparent/tracestate), outside the recorded value
      messages.push({ key, value, headers: headers === undefined ? HEADERS : { ...HEADERS, ...headers } })
      byTopic.set(topic, messages)
    }
    await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) })
  }
  const letterFor = (record: OutgoingRecord, reason: string, maxRecordBytes = options.maxRecordBytes): OutgoingRecord => {
    options.onUnsendable?.(record, reason)
    const letter = unsendableRecordLetter(record, reason, options.deadLetterTopic, options.now().toISOString(), maxRecordBytes)
    return record.headers === undefined ? letter : { ...letter, headers: record.headers }
  }
  /** One record alone: out, dead-lettered in its place when the broker refuses it for good, or the retryable error. */
  const sendAlone = async (record: OutgoingRecord): Promise<SendOutcome> => {
    try {
      await sendBatch([record])
      return undefined
    } catch (error) {
      if (!isPermanentSendError(error)) return error instanceof Error ? error : new Error(reasonOf(error))
      try {
        // the broker's real limit is lower than configured: a small letter (a few KB of prefix) still fits
        await sendBatch([letterFor(record, `refused by the broker: ${reasonOf(error)}`, SMALL_LETTER_BYTES)])
        return undefined
      } catch (letterError) {
        return letterError instanceof Error ? letterError : new Error(reasonOf(letterError))
      }
    }
  }

  return async (records: readonly OutgoingRecord[]): Promise<readonly SendOutcome[]> => {
    if (records.length === 0) return []
    const sendable = records.map((r) =>
      recordBytes(r) <= options.maxRecordBytes
        ? r
        : letterFor(r, `record of ${recordBytes(r)} bytes exceeds KAFKA_MAX_RECORD_BYTES (${options.maxRecordBytes})`),
    )
    try {
      await sendBatch(sendable)
      return sendable.map(() => undefined)
    } catch (error) {
      if (!isPermanentSendError(error)) throw error
    }
    // rare path: one at a time, in order, so each record's fate is its own
    const outcomes: SendOutcome[] = []
    for (const record of sendable) outcomes.push(await sendAlone(record))
    return outcomes
  }
}

/** For callers that want all or nothing: the first per-record failure is thrown. */
export const throwFirstFailure = (outcomes: readonly SendOutcome[]): void => {
  const failed = outcomes.find((o) => o !== undefined)
  if (failed !== undefined) throw failed
}
