/**
 * Events on the wire of the event log: JSON with a schema version. Reading decodes with io-ts after
 * upcasting older versions, so the reducer only ever sees the current schema.
 */
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import {
  DashboardUpserted,
  DashboardsDeleted,
  EVENT_SCHEMA_VERSION,
  RequestAccepted,
  RequestCompleted,
  RequestRedelivered,
  ResultPublished,
  ScrapeJobRegistered,
  ScrapeJobRemoved,
  StepFailed,
  isDecodedDashboardUpserted,
  isDecodedDashboardsDeleted,
  isDecodedRequestAccepted,
  isDecodedRequestCompleted,
  isDecodedRequestRedelivered,
  isDecodedResultPublished,
  isDecodedScrapeJobRegistered,
  isDecodedScrapeJobRemoved,
  isDecodedStepFailed,
  type ServiceEvent,
  type ServiceEventType,
} from '../codecs/events.js'
import { decodeWith, formatFailure, type DecodeFailure } from '../codecs/decode.js'

/**
 * One function per historic schema version, changing a raw event's layout to the next version's;
 * `upcast` stamps the new version number (appended last, as these events always had it).
 */
const upcasters: Readonly<Record<number, (raw: Record<string, unknown>) => Record<string, unknown>>> = {
  // v0 was the pre-release layout without a version field and with `dashboardUid` on deletes
  0: (raw) => {
    const { dashboardUid, ...rest } = raw
    return raw['type'] === 'DashboardDeleted' ? { ...rest, type: 'DashboardsDeleted', uids: typeof dashboardUid === 'string' ? [dashboardUid] : [] } : rest
  },
}

export const upcast = (raw: Record<string, unknown>): Record<string, unknown> => {
  let current = raw
  let version = typeof current['v'] === 'number' ? current['v'] : 0
  while (version < EVENT_SCHEMA_VERSION) {
    const lift = upcasters[version]
    if (!lift) break
    const { v: _old, ...lifted } = lift(current)
    version += 1
    current = { ...lifted, v: version }
  }
  return current
}

/**
 * One decoder per event type, chosen by the `type` field: decoding against the whole union would
 * try every member in turn (replay decodes every event of every log, so this is its hot path), and
 * a reason against the matching member names the field that is wrong. An event that its type's
 * `isDecoded…` guard accepts is already what the codec would return (the common case: we wrote it),
 * so the codec only runs, and words the reason, when the guard says no.
 */
const decoderOf = <A extends ServiceEvent>(isDecoded: (u: unknown) => u is A, codec: t.Type<A, unknown>) => {
  const decode = decodeWith(codec)
  return (input: unknown): E.Either<DecodeFailure, ServiceEvent> => (isDecoded(input) ? E.right(input) : decode(input))
}

const decoders: { readonly [K in ServiceEventType]: (input: unknown) => E.Either<DecodeFailure, ServiceEvent> } = {
  RequestAccepted: decoderOf(isDecodedRequestAccepted, RequestAccepted),
  RequestRedelivered: decoderOf(isDecodedRequestRedelivered, RequestRedelivered),
  ScrapeJobRegistered: decoderOf(isDecodedScrapeJobRegistered, ScrapeJobRegistered),
  ScrapeJobRemoved: decoderOf(isDecodedScrapeJobRemoved, ScrapeJobRemoved),
  DashboardUpserted: decoderOf(isDecodedDashboardUpserted, DashboardUpserted),
  DashboardsDeleted: decoderOf(isDecodedDashboardsDeleted, DashboardsDeleted),
  StepFailed: decoderOf(isDecodedStepFailed, StepFailed),
  RequestCompleted: decoderOf(isDecodedRequestCompleted, RequestCompleted),
  ResultPublished: decoderOf(isDecodedResultPublished, ResultPublished),
}

const isEventType = (type: unknown): type is ServiceEventType => typeof type === 'string' && Object.hasOwn(decoders, type)

export const encodeEvent = (event: ServiceEvent): string => JSON.stringify(event)

export const decodeEvent = (json: string): E.Either<string, ServiceEvent> => {
  let raw: unknown
  try {
    raw = JSON.parse(json)
  } catch (error) {
    return E.left(`event is not JSON: ${String(error)}`)
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return E.left('event is not a JSON object')
  const current = upcast(raw as Record<string, unknown>)
  const type = current['type']
  if (!isEventType(type)) return E.left(`unknown event type ${JSON.stringify(type)?.slice(0, 80) ?? 'undefined'}`)
  return E.mapLeft(formatFailure)(decoders[type](current))
}
