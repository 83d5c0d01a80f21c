/**
 * A step: what `decide` asks for next, and what one step effect (effects/steps/run-step.ts) carries out.
 * Its own module because both sides need it: state decides steps, effects run them (and the
 * operator's `reconcile` builds the same steps to repair drift).
 */
import type { DashboardRole, ResultRecord } from '../codecs/events.js'
import type { CreateDashboardRequest, PlatformServiceRequest } from '../codecs/requests.js'
import type { PendingRequest } from './service-state.js'
import type { TraceContext } from '../support/tracing/trace-context.js'

export interface IdleStep {
  readonly type: 'idle'
}

export interface PublishResultStep {
  readonly type: 'publishResult'
  readonly requestId: string
  readonly resultId: string
  readonly result: ResultRecord
}

export interface RegisterJobStep {
  readonly type: 'registerJob'
  readonly pending: PendingRequest
  readonly payload: CreateDashboardRequest
  readonly fingerprint: string
}

export interface UpsertDashboardStep {
  readonly type: 'upsertDashboard'
  readonly pending: PendingRequest
  readonly role: DashboardRole
  readonly payload: CreateDashboardRequest | PlatformServiceRequest
  readonly fingerprint: string
}

export interface RemoveJobStep {
  readonly type: 'removeJob'
  readonly pending: PendingRequest
}

export interface DeleteDashboardsStep {
  readonly type: 'deleteDashboards'
  readonly pending: PendingRequest
  /** only these roles' dashboards (an undo takes back what one request added); absent: all of the service's */
  readonly roles?: readonly DashboardRole[]
}

export interface CompleteStep {
  readonly type: 'complete'
  readonly pending: PendingRequest
  readonly status: 'SUCCESS' | 'FAILURE'
  readonly message: string
}

/** A step that works on the head of the pending queue. */
export type WorkStep = RegisterJobStep | UpsertDashboardStep | RemoveJobStep | DeleteDashboardsStep | CompleteStep

/** The head failed on a transient fault: nothing before `until`, then `next` (decided as if it had not failed). */
export interface WaitStep {
  readonly type: 'wait'
  readonly pending: PendingRequest
  readonly until: string
  readonly next: WorkStep
}

export type Step = IdleStep | PublishResultStep | WorkStep | WaitStep

/** The trace context a step's item carries (the request's; the step span's inside a traced step): what its log lines join on. */
export const traceOfStep = (step: Step): TraceContext | undefined =>
  step.type === 'idle' ? undefined : step.type === 'publishResult' ? step.result.trace : step.pending.trace
