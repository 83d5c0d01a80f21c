/**
 * What an undecodable message turns into: a dead-letter record with the reason and the original
 * bytes (a bounded prefix, with the size and sha256 of the whole), and, when its type and serviceId can be read, a FAILURE result so SONATA's process does
 * not wait forever. Pure: the records are sent by the ingest stream before the offset is committed.
 */
import { createHash } from 'node:crypto'
import type { ResultRecord } from '../../codecs/events.js'
import type { RejectedMessage } from '../../codecs/request-message.js'
import { rejectionIdOf, resultIdOf } from '../../state/ids.js'
import { resultEnvelope, resultRecord, type ResultContext } from '../../state/result-message.js'
import type { Delivery } from '../../codecs/delivery.js'

const failureData = (kind: NonNullable<RejectedMessage['kind']>, serviceId: string, message: string) => {
  const status = { dashboardDataOrderStatus: 'FAILURE', dashboardDataOrderMessage: message } as const
  switch (kind) {
    case 'create':
      return { dashboardId: '', serviceId, metricsDashboardUrl: '', logsDashboardUrl: '', ...status }
    case 'platform':
      return { dashboardId: '', serviceId, logsDashboardUrl: '', ...status }
    case 'delete':
      return { serviceId, ...status, deletedDashboardUids: [] }
  }
}

/**
 * Room kept in a dead letter for everything but the payload prefix: the reasons (at most
 * MAX_REASONS of at most MAX_TEXT characters each), the key, the ids and the field names.
 */
const RESERVE_BYTES = 64 * 1024
const MAX_REASONS = 20
const MAX_TEXT = 1024

const cut = (text: string): string => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text)

/** The most payload bytes whose base64 still leaves the reserve within the broker's limit. */
export const payloadPrefixBytes = (maxRecordBytes: number): number => Math.max(0, Math.floor(((maxRecordBytes - RESERVE_BYTES) * 3) / 4))

/**
 * The payload part of a dead letter: its size and sha256 always, and as much of it as fits. The
 * original may be anything up to the broker's own limit, and base64 makes it a third larger, so
 * copying it whole made a dead letter the broker refuses (and the partition never moved on).
 */
export const payloadFields = (value: Buffer | null, maxRecordBytes: number) => {
  if (value === null) return { valueBase64: null, valueBytes: 0, valueSha256: null, valueTruncated: false }
  const prefix = value.subarray(0, payloadPrefixBytes(maxRecordBytes))
  return {
    valueBase64: prefix.toString('base64'),
    valueBytes: value.length,
    valueSha256: createHash('sha256').update(value).digest('hex'),
    valueTruncated: prefix.length < value.length,
  }
}

export const rejectionRecords = (
  delivery: Delivery,
  rejected: RejectedMessage,
  deadLetterTopic: string,
  at: string,
  ctx: ResultContext,
  maxRecordBytes: number,
): readonly ResultRecord[] => {
  const key = delivery.key !== null && delivery.key.length <= MAX_TEXT ? delivery.key : undefined
  const deadLetter: ResultRecord = {
    topic: deadLetterTopic,
    key: key ?? rejected.serviceId ?? '',
    value: JSON.stringify({
      reason: cut(rejected.reason),
      reasons: rejected.reasons.slice(0, MAX_REASONS).map(cut),
      topic: delivery.topic,
      partition: delivery.partition,
      offset: delivery.offset,
      key: delivery.key === null ? null : cut(delivery.key),
      cloudEventId: rejected.cloudEventId ?? null,
      serviceId: rejected.serviceId ?? null,
      receivedAt: at,
      ...payloadFields(delivery.value, maxRecordBytes),
    }),
  }
  // SONATA can match an answer by serviceId or by its process instance (kogitoprocrefid): with
  // neither there is nobody to answer, and the dead letter is all there is
  const correlatable = rejected.serviceId !== undefined || rejected.kogito['kogitoprocinstanceid'] !== undefined
  if (rejected.kind === undefined || !correlatable) return [deadLetter]
  const resultId = rejected.cloudEventId === undefined ? rejectionIdOf(delivery.topic, delivery.partition, delivery.offset) : resultIdOf(rejected.cloudEventId)
  const data = failureData(rejected.kind, rejected.serviceId ?? '', `Request rejected: ${cut(rejected.reason)}`)
  const envelope = resultEnvelope(rejected.kind, data, { resultId, kogito: rejected.kogito, at }, ctx)
  return [deadLetter, resultRecord(rejected.kind, rejected.serviceId ?? '', envelope)]
}

/**
 * A record the service itself could not send (over the broker's limit, or refused for good): the
 * same dead-letter shape, with the topic it was meant for and no source partition or offset. Its
 * key is kept when short, so operators find it next to the service's other records.
 */
export const unsendableRecordLetter = (record: ResultRecord, reason: string, deadLetterTopic: string, at: string, maxRecordBytes: number): ResultRecord => ({
  topic: deadLetterTopic,
  key: record.key.length <= MAX_TEXT ? record.key : '',
  value: JSON.stringify({
    reason: cut(`could not be sent: ${reason}`),
    reasons: [cut(reason)],
    topic: record.topic,
    partition: null,
    offset: null,
    key: cut(record.key),
    cloudEventId: null,
    serviceId: null,
    receivedAt: at,
    ...payloadFields(Buffer.from(record.value, 'utf8'), maxRecordBytes),
  }),
})
