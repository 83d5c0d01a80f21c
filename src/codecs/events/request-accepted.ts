import * as t from 'io-ts'
import { Namespaces, Port, PrometheusHost, ServiceId } from '../primitives.js'
import { CreateDashboardRequest, DeleteDashboardRequest, PlatformServiceRequest, ServiceName } from '../requests.js'
import { EventMeta, eventHead, hasEventHead, hasOnlyKeys, isRecord, type EventFields } from './event-head.js'
import { TraceContextCodec, isAbsentOrTraceContext } from './trace-context.js'

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
      /**
       * the trace the request's work continues in: its CONSUMER span's context, or the incoming
       * one when tracing is off (kept when unsampled too, so a resumed request stays in its trace)
       */
      trace: TraceContextCodec,
      /** the context the request arrived with, echoed in its result (CloudEvents distributed tracing) */
      requestTrace: TraceContextCodec,
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
  ...(e.trace === undefined ? {} : { trace: e.trace }),
  ...(e.requestTrace === undefined ? {} : { requestTrace: e.requestTrace }),
})

const isDecodedPayload = (kind: unknown, u: unknown): boolean => {
  if (!isRecord(u) || !ServiceId.is(u['serviceId'])) return false
  switch (kind) {
    case 'create': {
      const prometheus = u['prometheus']
      return (
        hasOnlyKeys(u, ['serviceId', 'namespaces', 'prometheus']) &&
        Namespaces.is(u['namespaces']) &&
        isRecord(prometheus) &&
        hasOnlyKeys(prometheus, ['host', 'port']) &&
        PrometheusHost.is(prometheus['host']) &&
        Port.is(prometheus['port'])
      )
    }
    case 'platform':
      return (
        hasOnlyKeys(u, ['serviceId', 'namespaces', 'serviceName']) &&
        Namespaces.is(u['namespaces']) &&
        (!Object.hasOwn(u, 'serviceName') || ServiceName.is(u['serviceName']))
      )
    case 'delete':
      return hasOnlyKeys(u, ['serviceId'])
    default:
      return false
  }
}

const isStringRecord = (u: unknown): boolean => isRecord(u) && Object.keys(u).every((key) => typeof u[key] === 'string')

/** `u` already is a decoded RequestAccepted (see hasEventHead): payloads without keys `t.exact` would strip, values already normalised. */
export const isDecodedRequestAccepted = (u: unknown): u is RequestAccepted => {
  if (!hasEventHead(u, 'RequestAccepted') || typeof u['origin'] !== 'string' || !isStringRecord(u['kogito'])) return false
  if (Object.hasOwn(u, 'publishedAt') && typeof u['publishedAt'] !== 'string') return false
  if (!isAbsentOrTraceContext(u, 'trace') || !isAbsentOrTraceContext(u, 'requestTrace')) return false
  const request = u['request']
  return isRecord(request) && isDecodedPayload(request['kind'], request['payload'])
}
