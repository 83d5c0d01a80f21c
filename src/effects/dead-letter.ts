/**
 * What an undecodable message turns into: a dead-letter record with the reason and the original
 * bytes, and, when its type and serviceId can be read, a FAILURE result so SONATA's process does
 * not wait forever. Pure: the records are sent by the ingest stream before the offset is committed.
 */
import type { ResultRecord } from '../codecs/events.js'
import type { RejectedMessage } from '../codecs/request-message.js'
import { rejectionIdOf, resultIdOf } from '../state/ids.js'
import { resultEnvelope, resultRecord, type ResultContext } from '../state/result-message.js'
import type { Delivery } from '../codecs/delivery.js'

const failureData = (kind: NonNullable<RejectedMessage['kind']>, serviceId: string, message: string) => {
  const status = { dashboardDataOrderStatus: 'FAILURE', dashboardDataOrderMessage: message } as const
  switch (kind) {
    case 'create': return { dashboardId: '', serviceId, metricsDashboardUrl: '', logsDashboardUrl: '', ...status }
    case 'platform': return { dashboardId: '', serviceId, logsDashboardUrl: '', ...status }
    case 'delete': return { serviceId, ...status, deletedDashboardUids: [] }
  }
}

export const rejectionRecords = (
  delivery: Delivery,
  rejected: RejectedMessage,
  deadLetterTopic: string,
  at: string,
  ctx: ResultContext,
): readonly ResultRecord[] => {
  const deadLetter: ResultRecord = {
    topic: deadLetterTopic,
    key: delivery.key ?? rejected.serviceId ?? '',
    value: JSON.stringify({
      reason: rejected.reason,
      reasons: rejected.reasons,
      topic: delivery.topic,
      partition: delivery.partition,
      offset: delivery.offset,
      key: delivery.key,
      cloudEventId: rejected.cloudEventId ?? null,
      serviceId: rejected.serviceId ?? null,
      receivedAt: at,
      valueBase64: delivery.value === null ? null : delivery.value.toString('base64'),
    }),
  }
  // SONATA can match an answer by serviceId or by its process instance (kogitoprocrefid): with
  // neither there is nobody to answer, and the dead letter is all there is
  const correlatable = rejected.serviceId !== undefined || rejected.kogito['kogitoprocinstanceid'] !== undefined
  if (rejected.kind === undefined || !correlatable) return [deadLetter]
  const resultId = rejected.cloudEventId === undefined ? rejectionIdOf(delivery.topic, delivery.partition, delivery.offset) : resultIdOf(rejected.cloudEventId)
  const data = failureData(rejected.kind, rejected.serviceId ?? '', `Request rejected: ${rejected.reason}`)
  const envelope = resultEnvelope(rejected.kind, data, { resultId, kogito: rejected.kogito, at }, ctx)
  return [deadLetter, resultRecord(rejected.kind, rejected.serviceId ?? '', envelope)]
}
