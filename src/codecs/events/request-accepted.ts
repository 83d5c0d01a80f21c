import * as t from 'io-ts'
import { CreateDashboardRequest, DeleteDashboardRequest, PlatformServiceRequest } from '../requests.js'
import { EventMeta, eventHead, type EventFields } from './event-head.js'

/** A request as the service keeps it: its kind and the decoded `data` of its CloudEvent. */
export const AcceptedRequest = t.union(
  [
    t.type({ kind: t.literal('create'), payload: CreateDashboardRequest }),
    t.type({ kind: t.literal('platform'), payload: PlatformServiceRequest }),
    t.type({ kind: t.literal('delete'), payload: DeleteDashboardRequest }),
  ],
  'AcceptedRequest',
)
export type AcceptedRequest = t.TypeOf<typeof AcceptedRequest>

/** What SONATA asked for, as accepted from Kafka (the inbox entry). */
export const RequestAccepted = t.intersection(
  [
    t.type({
      ...EventMeta,
      type: t.literal('RequestAccepted'),
      request: AcceptedRequest,
      /** every kogito* attribute of the request envelope, carried into the result */
      kogito: t.record(t.string, t.string),
      /** where it came from, for operators: topic/partition/offset */
      origin: t.string,
    }),
    t.partial({
      /**
       * when the producer published it (the Kafka record timestamp): requests of one service that
       * arrive through different topics/partitions are queued in this order, not in the order
       * their batches happened to be recorded
       */
      publishedAt: t.string,
    }),
  ],
  'RequestAccepted',
)
export type RequestAccepted = t.TypeOf<typeof RequestAccepted>

/** `publishedAt` is left out, not set to undefined, when the record had no usable timestamp. */
export const requestAccepted = (e: EventFields<RequestAccepted>): RequestAccepted => ({
  ...eventHead('RequestAccepted', e),
  request: e.request,
  kogito: e.kogito,
  origin: e.origin,
  ...(e.publishedAt === undefined ? {} : { publishedAt: e.publishedAt }),
})
