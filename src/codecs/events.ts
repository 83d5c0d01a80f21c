/**
 * Domain events: the facts stored in each service's Redis stream, the source of truth.
 *
 * Every event carries the originating CloudEvent id (`requestId`), the time it happened (`at`,
 * ISO-8601) and its schema version (`v`). Events are decoded with io-ts on read; older schema
 * versions go through `upcast` (see state/event-codec.ts) before they reach the reducer.
 */
import * as t from 'io-ts'
import { CreateDashboardRequest, DeleteDashboardRequest, PlatformServiceRequest } from './requests.js'

export const EVENT_SCHEMA_VERSION = 1 as const

const Meta = { v: t.literal(EVENT_SCHEMA_VERSION), requestId: t.string, at: t.string }

export const DashboardRole = t.keyof({ metrics: null, logs: null, platform: null }, 'DashboardRole')
export type DashboardRole = t.TypeOf<typeof DashboardRole>

export const StepName = t.keyof(
  { registerJob: null, removeJob: null, upsertDashboard: null, deleteDashboards: null, publishResult: null },
  'StepName',
)
export type StepName = t.TypeOf<typeof StepName>

/** What SONATA asked for, as accepted from Kafka (the inbox entry). */
export const RequestAccepted = t.intersection(
  [
    t.type({
      ...Meta,
      type: t.literal('RequestAccepted'),
      request: t.union([
        t.type({ kind: t.literal('create'), payload: CreateDashboardRequest }),
        t.type({ kind: t.literal('platform'), payload: PlatformServiceRequest }),
        t.type({ kind: t.literal('delete'), payload: DeleteDashboardRequest }),
      ]),
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

/** The same CloudEvent arrived again: no new side effects, the recorded result is sent again. */
export const RequestRedelivered = t.type(
  { ...Meta, type: t.literal('RequestRedelivered'), origin: t.string },
  'RequestRedelivered',
)
export type RequestRedelivered = t.TypeOf<typeof RequestRedelivered>

export const ScrapeJobRegistered = t.type(
  { ...Meta, type: t.literal('ScrapeJobRegistered'), jobName: t.string, fingerprint: t.string },
  'ScrapeJobRegistered',
)
export type ScrapeJobRegistered = t.TypeOf<typeof ScrapeJobRegistered>

export const ScrapeJobRemoved = t.type(
  { ...Meta, type: t.literal('ScrapeJobRemoved'), jobName: t.string, wasPresent: t.boolean },
  'ScrapeJobRemoved',
)
export type ScrapeJobRemoved = t.TypeOf<typeof ScrapeJobRemoved>

export const DashboardUpserted = t.type(
  {
    ...Meta,
    type: t.literal('DashboardUpserted'),
    role: DashboardRole,
    uid: t.string,
    id: t.number,
    url: t.string,
    version: t.number,
    folderUid: t.string,
    fingerprint: t.string,
  },
  'DashboardUpserted',
)
export type DashboardUpserted = t.TypeOf<typeof DashboardUpserted>

/** One delete sweep: every dashboard of the service found by uid or by tag (possibly none). */
export const DashboardsDeleted = t.type(
  { ...Meta, type: t.literal('DashboardsDeleted'), uids: t.array(t.string) },
  'DashboardsDeleted',
)
export type DashboardsDeleted = t.TypeOf<typeof DashboardsDeleted>

/**
 * A step failed. Its effect already retried sub-second blips; a retryable failure with `retryAt`
 * is tried again from that time on (set while the request's deadline allows), otherwise the
 * request completes with FAILURE.
 */
export const StepFailed = t.intersection(
  [
    t.type({ ...Meta, type: t.literal('StepFailed'), step: StepName, reason: t.string, retryable: t.boolean }),
    t.partial({ retryAt: t.string }),
  ],
  'StepFailed',
)
export type StepFailed = t.TypeOf<typeof StepFailed>

/** A result message exactly as it is (re-)published: recorded BEFORE sending so a re-send is identical. */
export const ResultRecord = t.type({ topic: t.string, key: t.string, value: t.string }, 'ResultRecord')
export type ResultRecord = t.TypeOf<typeof ResultRecord>

export const RequestCompleted = t.type(
  {
    ...Meta,
    type: t.literal('RequestCompleted'),
    status: t.keyof({ SUCCESS: null, FAILURE: null }),
    resultId: t.string,
    result: ResultRecord,
  },
  'RequestCompleted',
)
export type RequestCompleted = t.TypeOf<typeof RequestCompleted>

export const ResultPublished = t.type(
  { ...Meta, type: t.literal('ResultPublished'), resultId: t.string },
  'ResultPublished',
)
export type ResultPublished = t.TypeOf<typeof ResultPublished>

export const ServiceEvent = t.union(
  [
    RequestAccepted,
    RequestRedelivered,
    ScrapeJobRegistered,
    ScrapeJobRemoved,
    DashboardUpserted,
    DashboardsDeleted,
    StepFailed,
    RequestCompleted,
    ResultPublished,
  ],
  'ServiceEvent',
)
export type ServiceEvent = t.TypeOf<typeof ServiceEvent>
export type ServiceEventType = ServiceEvent['type']

/** Every event type name, in declaration order (for exhaustiveness checks in tests and tools). */
export const EVENT_TYPES: readonly ServiceEventType[] = [
  'RequestAccepted',
  'RequestRedelivered',
  'ScrapeJobRegistered',
  'ScrapeJobRemoved',
  'DashboardUpserted',
  'DashboardsDeleted',
  'StepFailed',
  'RequestCompleted',
  'ResultPublished',
]
