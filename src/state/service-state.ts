/**
 * The snapshot of one service: everything `decide` needs, folded from its events by `evolve`.
 *
 * Plain JSON only (no Maps, no Dates, no undefined values), so a snapshot serializes to the same
 * bytes whether it was folded live or rebuilt by `replay`.
 */
import type { DashboardRole, RequestAccepted, ResultRecord, StepName } from '../codecs/events.js'

export type ServiceStatus = 'new' | 'active' | 'deleted' | 'failed'

export interface AppliedDashboard {
  readonly uid: string
  readonly id: number
  readonly url: string
  readonly version: number
  readonly folderUid: string
  readonly fingerprint: string
}

export interface PendingRequest {
  readonly requestId: string
  readonly request: RequestAccepted['request']
  readonly kogito: Readonly<Record<string, string>>
  readonly acceptedAt: string
  /** Kafka record timestamp (ISO); the pending queue is kept in this order */
  readonly publishedAt?: string
  /** steps this request already finished, so a delete does not sweep twice */
  readonly done: readonly StepName[]
  /** set by StepFailed: the request then completes with FAILURE, or waits until `retryAt` and tries again */
  readonly failure: { readonly step: StepName; readonly reason: string; readonly retryAt?: string } | null
  /** retryable failures so far (absent: none), for the backoff and for operators */
  readonly attempts?: number
  /** the same CloudEvent arrived again while this request was in progress */
  readonly redeliveries: number
  /** what a delete found and removed, for its result message */
  readonly removed: { readonly job: boolean; readonly dashboardUids: readonly string[] }
}

export interface OutstandingResult {
  readonly requestId: string
  readonly resultId: string
  readonly result: ResultRecord
  /** how many more times it must be published (1 + redeliveries) */
  readonly copies: number
}

export interface CompletedRequest {
  readonly requestId: string
  readonly resultId: string
  readonly status: 'SUCCESS' | 'FAILURE'
  readonly result: ResultRecord
}

export interface ServiceState {
  readonly serviceId: string
  /** number of events folded in; the stream position this snapshot includes */
  readonly version: number
  readonly status: ServiceStatus
  readonly lastChangeAt: string | null
  /** the scrape job as last written to the secret by this service */
  readonly job: { readonly jobName: string; readonly fingerprint: string } | null
  readonly dashboards: Partial<Record<DashboardRole, AppliedDashboard>>
  /** accepted requests not completed yet, in publish order (see evolve); the head is the one in progress */
  readonly pending: readonly PendingRequest[]
  /** results recorded but not yet (re-)published */
  readonly outstanding: readonly OutstandingResult[]
  /** the most recent completed requests, newest last, so a redelivery re-sends the same result */
  readonly completed: readonly CompletedRequest[]
  /** publish time of the newest request carried out: an older one arriving later is superseded */
  readonly lastCompletedPublishedAt: string | null
}

/** How many completed requests a snapshot remembers for redelivery. */
export const COMPLETED_WINDOW = 32

export const initialServiceState = (serviceId: string): ServiceState => ({
  serviceId,
  version: 0,
  status: 'new',
  lastChangeAt: null,
  job: null,
  dashboards: {},
  pending: [],
  outstanding: [],
  completed: [],
  lastCompletedPublishedAt: null,
})
