/**
 * The snapshot of one service, as stored next to its event log and as `decide` reads it
 * (state/service-state.ts names it `ServiceState`): this codec is its only definition.
 *
 * Snapshots are derived data: one that does not decode is ignored and the state is rebuilt from
 * the event log. Plain JSON only (no Maps, no Dates, no undefined values), so a snapshot
 * serializes to the same bytes whether it was folded live or rebuilt by `replay`.
 */
import * as t from 'io-ts'
import { AcceptedRequest, ChangeTarget, ResultRecord, StepName } from './events.js'
import { CreateDashboardRequest, PlatformServiceRequest } from './requests.js'
import { OrderStatus } from './results.js'
import { TraceContextCodec } from './events/trace-context.js'

export const ServiceStatus = t.keyof({ new: null, active: null, deleted: null, failed: null }, 'ServiceStatus')
export type ServiceStatus = t.TypeOf<typeof ServiceStatus>

export const AppliedDashboard = t.readonly(
  t.intersection([
    t.type({ uid: t.string, url: t.string, version: t.number, folderUid: t.string, fingerprint: t.string }),
    // id: the legacy API's numeric id (`/apis` has none); leftInFolder: see DashboardUpserted;
    // payload: the request data it was rendered from, so a failed later request can put it back (absent: not known)
    t.partial({ id: t.number, leftInFolder: t.string, payload: t.union([CreateDashboardRequest, PlatformServiceRequest]) }),
  ]),
  'AppliedDashboard',
)
export type AppliedDashboard = t.TypeOf<typeof AppliedDashboard>

/** The scrape job as last written by this service; `payload`: the create it was rendered from (absent: not known). */
export const AppliedJob = t.readonly(
  t.intersection([t.type({ jobName: t.string, fingerprint: t.string }), t.partial({ payload: CreateDashboardRequest })]),
  'AppliedJob',
)
export type AppliedJob = t.TypeOf<typeof AppliedJob>

/** What a request found in place before its first side effect: what an undo puts back. */
export const Applied = t.readonly(
  t.type({
    job: t.union([AppliedJob, t.null]),
    dashboards: t.readonly(t.partial({ metrics: AppliedDashboard, logs: AppliedDashboard, platform: AppliedDashboard })),
  }),
  'Applied',
)
export type Applied = t.TypeOf<typeof Applied>

/**
 * The undo of a request that failed for good: its side effects are taken back, step by step,
 * before its FAILURE result is recorded. `since`: when it started (its own retry deadline counts
 * from here); `done`: what was taken back, for the result message; `failure`: an undo step failed.
 */
export const Undo = t.readonly(
  t.intersection([
    t.type({
      since: t.string,
      done: t.readonlyArray(t.string),
      failure: t.union([t.readonly(t.intersection([t.type({ step: StepName, reason: t.string }), t.partial({ retryAt: t.string })])), t.null]),
    }),
    // what the failed write may have changed although no answer said so (StepFailed's
    // `mayHaveChanged`), until the undo has put it back; absent: nothing
    t.partial({ mayHaveChanged: t.readonlyArray(ChangeTarget) }),
  ]),
  'Undo',
)
export type Undo = t.TypeOf<typeof Undo>

export const PendingRequest = t.readonly(
  t.intersection([
    t.type({
      requestId: t.string,
      request: AcceptedRequest,
      kogito: t.readonly(t.record(t.string, t.string)),
      acceptedAt: t.string,
      /** steps this request already finished, so a delete does not sweep twice */
      done: t.readonlyArray(StepName),
      /** set by StepFailed: the request then completes with FAILURE, or waits until `retryAt` and tries again */
      failure: t.union([t.readonly(t.intersection([t.type({ step: StepName, reason: t.string }), t.partial({ retryAt: t.string })])), t.null]),
      /** the same CloudEvent arrived again while this request was in progress */
      redeliveries: t.number,
      /** what a delete found and removed, for its result message */
      removed: t.readonly(t.type({ job: t.boolean, dashboardUids: t.readonlyArray(t.string) })),
    }),
    t.partial({
      /** Kafka record timestamp (ISO); the pending queue is kept in this order */
      publishedAt: t.string,
      /** retryable failures so far (absent: none), for the backoff and for operators */
      attempts: t.number,
      /** see RequestAccepted: the trace its steps continue, and the one it arrived with */
      trace: TraceContextCodec,
      requestTrace: TraceContextCodec,
      /** create/platform: the job and dashboards in place before this request's first side effect */
      before: Applied,
      /** set once the request failed for good with side effects to take back (see Undo) */
      undo: Undo,
      /** create/platform: what a write of any attempt may have changed without an answer saying so (StepFailed's `mayHaveChanged`), until the undo takes it over */
      mayHaveChanged: t.readonlyArray(ChangeTarget),
    }),
  ]),
  'PendingRequest',
)
export type PendingRequest = t.TypeOf<typeof PendingRequest>

export const OutstandingResult = t.readonly(
  /** `copies`: how many more times it must be published (1 + redeliveries) */
  t.type({ requestId: t.string, resultId: t.string, result: ResultRecord, copies: t.number }),
  'OutstandingResult',
)
export type OutstandingResult = t.TypeOf<typeof OutstandingResult>

export const CompletedRequest = t.readonly(t.type({ requestId: t.string, resultId: t.string, status: OrderStatus, result: ResultRecord }), 'CompletedRequest')
export type CompletedRequest = t.TypeOf<typeof CompletedRequest>

export const ServiceSnapshot = t.readonly(
  t.type({
    serviceId: t.string,
    /** number of events folded in; the stream position this snapshot includes */
    version: t.number,
    status: ServiceStatus,
    lastChangeAt: t.union([t.string, t.null]),
    /** the scrape job as last written to the secret by this service */
    job: t.union([AppliedJob, t.null]),
    dashboards: t.readonly(t.partial({ metrics: AppliedDashboard, logs: AppliedDashboard, platform: AppliedDashboard })),
    /** accepted requests not completed yet, in publish order (see evolve); the head is the one in progress */
    pending: t.readonlyArray(PendingRequest),
    /** results recorded but not yet (re-)published */
    outstanding: t.readonlyArray(OutstandingResult),
    /** the most recent completed requests, newest last, so a redelivery re-sends the same result */
    completed: t.readonlyArray(CompletedRequest),
    /** publish time of the newest request carried out: an older one arriving later is superseded */
    lastCompletedPublishedAt: t.union([t.string, t.null]),
  }),
  'ServiceSnapshot',
)
export type ServiceSnapshot = t.TypeOf<typeof ServiceSnapshot>
