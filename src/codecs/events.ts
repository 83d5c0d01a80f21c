/**
 * Domain events: the facts stored in each service's Redis stream, the source of truth.
 *
 * One module per event under `events/` owns its codec, its type (same name) and its constructor;
 * this index gathers them into the `ServiceEvent` union. Events are decoded with io-ts on read;
 * older schema versions go through `upcast` (see state/event-codec.ts) before they reach the reducer.
 */
import * as t from 'io-ts'
import { DashboardUpserted } from './events/dashboard-upserted.js'
import { DashboardsDeleted } from './events/dashboards-deleted.js'
import { RequestAccepted } from './events/request-accepted.js'
import { RequestCompleted } from './events/request-completed.js'
import { RequestRedelivered } from './events/request-redelivered.js'
import { ResultPublished } from './events/result-published.js'
import { ScrapeJobRegistered } from './events/scrape-job-registered.js'
import { ScrapeJobRemoved } from './events/scrape-job-removed.js'
import { StepFailed } from './events/step-failed.js'

export { DashboardRole } from './dashboard-role.js'
export { EVENT_SCHEMA_VERSION, type EventFields } from './events/event-head.js'
export { StepName } from './events/step-name.js'
export { ChangeTarget } from './events/change-target.js'
export { ResultRecord, type OutgoingRecord } from './events/result-record.js'
export { TraceContextCodec } from './events/trace-context.js'
export { AcceptedRequest, RequestAccepted, isDecodedRequestAccepted, requestAccepted } from './events/request-accepted.js'
export { RequestRedelivered, requestRedelivered, isDecodedRequestRedelivered } from './events/request-redelivered.js'
export { ScrapeJobRegistered, scrapeJobRegistered, isDecodedScrapeJobRegistered } from './events/scrape-job-registered.js'
export { ScrapeJobRemoved, scrapeJobRemoved, isDecodedScrapeJobRemoved } from './events/scrape-job-removed.js'
export { DashboardUpserted, dashboardUpserted, isDecodedDashboardUpserted } from './events/dashboard-upserted.js'
export { DashboardsDeleted, dashboardsDeleted, isDecodedDashboardsDeleted } from './events/dashboards-deleted.js'
export { StepFailed, stepFailed, isDecodedStepFailed } from './events/step-failed.js'
export { RequestCompleted, requestCompleted, isDecodedRequestCompleted } from './events/request-completed.js'
export { ResultPublished, resultPublished, isDecodedResultPublished } from './events/result-published.js'

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
