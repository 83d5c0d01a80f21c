/**
 * The state of one service: everything `decide` needs, folded from its events by `evolve`. Its
 * shape is the stored snapshot's codec (codecs/snapshot.ts), the one definition of it.
 */
import type { PendingRequest, ServiceSnapshot } from '../codecs/snapshot.js'

export type { Applied, AppliedDashboard, AppliedJob, CompletedRequest, OutstandingResult, PendingRequest, ServiceStatus, Undo } from '../codecs/snapshot.js'

export type ServiceState = ServiceSnapshot

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

/** What a request may carry into the queue besides its id, request and acceptance time. */
export type PendingExtras = Partial<Pick<PendingRequest, 'kogito' | 'publishedAt' | 'trace' | 'requestTrace'>>

/** A request as it joins the queue: nothing done, no failure, no redelivery, nothing removed. */
export const newPending = (requestId: string, request: PendingRequest['request'], acceptedAt: string, extras: PendingExtras = {}): PendingRequest => ({
  requestId,
  request,
  kogito: {},
  acceptedAt,
  ...extras,
  done: [],
  failure: null,
  redeliveries: 0,
  removed: { job: false, dashboardUids: [] },
})
