/**
 * What the inbox and `telemetry-client preview` both do with a record: decode it (structured or
 * binary CloudEvent) and check every limit. A rejection keeps only the attributes within the
 * limits, because its FAILURE result echoes them.
 */
import { isLeft, left, type Either } from 'fp-ts/lib/Either.js'
import { decodeRequestDelivery } from './binary-mode.js'
import type { Delivery } from './delivery.js'
import { boundedKogito, checkRequestLimits, type JobBytes, type RequestLimits } from './limits.js'
import type { RejectedMessage, RequestMessage } from './request-message.js'

export const decodeAtTheDoor = (
  delivery: Pick<Delivery, 'topic' | 'value' | 'headers'>,
  limits: RequestLimits,
  jobBytes: JobBytes,
): Either<RejectedMessage, RequestMessage> => {
  const decoded = decodeRequestDelivery(delivery, limits.maxRequestBytes)
  if (isLeft(decoded)) return left({ ...decoded.left, kogito: boundedKogito(decoded.left.kogito, limits) })
  return checkRequestLimits(decoded.right, limits, jobBytes)
}
