/**
 * decide: given a service's snapshot, the next step to take (or `idle`). Pure: what the desired
 * job and dashboards look like comes in as fingerprint functions, so tests pass simple fakes.
 *
 * Order of work: results already recorded are published first (the request is done; only the
 * message is owed), then the head of the pending queue advances by one step. A step whose outcome
 * is already in the snapshot is skipped: that is what makes a retried request finish only the
 * missing steps and a repeated request write nothing. A create or platform request that fails for
 * good takes its side effects back first (undo.ts), then answers FAILURE: all or nothing.
 */
import type { DashboardRole, StepName } from '../codecs/events.js'
import type { CreateDashboardRequest, PlatformServiceRequest } from '../codecs/requests.js'
import { newestCarriedOut, orderTime } from './publish-time.js'
import type { PendingRequest, ServiceState } from './service-state.js'
import type { Step, WaitStep, WorkStep } from './step.js'
import { leftInPlace, undoPlan } from './undo.js'

/** Marks a FAILURE that left something of the request behind (the runbook explains each). */
export const STILL_IN_PLACE = 'still in place, not taken back:'

export interface DesiredFingerprints {
  readonly job: (payload: CreateDashboardRequest) => string
  readonly dashboard: (role: DashboardRole, payload: CreateDashboardRequest | PlatformServiceRequest) => string
}

const STEP_LABEL = {
  registerJob: 'registering the Prometheus scrape job',
  removeJob: 'removing the Prometheus scrape job',
  upsertDashboard: 'creating the Grafana dashboard',
  deleteDashboards: 'deleting the Grafana dashboards',
  publishResult: 'publishing the result',
} as const

const dashboardStep = (
  state: ServiceState,
  pending: PendingRequest,
  role: DashboardRole,
  payload: CreateDashboardRequest | PlatformServiceRequest,
  desired: DesiredFingerprints,
): WorkStep | undefined => {
  const fingerprint = desired.dashboard(role, payload)
  return state.dashboards[role]?.fingerprint === fingerprint ? undefined : { type: 'upsertDashboard', pending, role, payload, fingerprint }
}

/** A dashboard a person moved out of the service's folders is left where it is; the answer says so. */
const withLeftAlone = (message: string, state: ServiceState, roles: readonly DashboardRole[]): string => {
  const notes = roles.flatMap((role) => {
    const applied = state.dashboards[role]
    return applied?.leftInFolder === undefined ? [] : [`dashboard ${applied.uid} left unchanged in folder ${applied.leftInFolder}, where someone moved it`]
  })
  return notes.length === 0 ? message : `${message} (${notes.join('; ')})`
}

const nextForCreate = (state: ServiceState, pending: PendingRequest, payload: CreateDashboardRequest, desired: DesiredFingerprints): WorkStep => {
  const fingerprint = desired.job(payload)
  if (state.job?.fingerprint !== fingerprint) return { type: 'registerJob', pending, payload, fingerprint }
  return (
    dashboardStep(state, pending, 'metrics', payload, desired) ??
    dashboardStep(state, pending, 'logs', payload, desired) ?? {
      type: 'complete',
      pending,
      status: 'SUCCESS',
      message: withLeftAlone('Telemetry was successful', state, ['metrics', 'logs']),
    }
  )
}

const nextForPlatform = (state: ServiceState, pending: PendingRequest, payload: PlatformServiceRequest, desired: DesiredFingerprints): WorkStep =>
  dashboardStep(state, pending, 'platform', payload, desired) ?? {
    type: 'complete',
    pending,
    status: 'SUCCESS',
    message: withLeftAlone('Platform service logs dashboard is in place', state, ['platform']),
  }

const nothingLeft = (state: ServiceState) => state.job === null && Object.keys(state.dashboards).length === 0

const nextForDelete = (state: ServiceState, pending: PendingRequest): WorkStep => {
  // a service this log already saw deleted, with nothing left applied: no Kubernetes/Grafana call at all
  const alreadyGone = state.status === 'deleted' && nothingLeft(state)
  if (!alreadyGone && !pending.done.includes('removeJob')) return { type: 'removeJob', pending }
  if (!alreadyGone && !pending.done.includes('deleteDashboards')) return { type: 'deleteDashboards', pending }
  return { type: 'complete', pending, status: 'SUCCESS', message: deleteMessage(state.serviceId, pending) }
}

const deleteMessage = (serviceId: string, { removed }: PendingRequest): string => {
  const parts = [
    ...(removed.job ? [`removed Prometheus job ${serviceId}`] : []),
    ...(removed.dashboardUids.length > 0 ? [`deleted ${removed.dashboardUids.length} dashboard(s): ${removed.dashboardUids.join(', ')}`] : []),
  ]
  return parts.length === 0 ? `Nothing was registered for service ${serviceId}; nothing to delete` : `Telemetry deleted: ${parts.join('; ')}`
}

const nextFor = (state: ServiceState, pending: PendingRequest, desired: DesiredFingerprints): WorkStep => {
  const { request } = pending
  switch (request.kind) {
    case 'create':
      return nextForCreate(state, pending, request.payload, desired)
    case 'platform':
      return nextForPlatform(state, pending, request.payload, desired)
    case 'delete':
      return nextForDelete(state, pending)
  }
}

export const decide = (state: ServiceState, desired: DesiredFingerprints): Step => {
  const owed = state.outstanding[0]
  if (owed) return { type: 'publishResult', requestId: owed.requestId, resultId: owed.resultId, result: owed.result }
  const pending = state.pending[0]
  if (!pending) return { type: 'idle' }
  // published before a request this service already carried out, but arrived after it (another
  // topic or partition was read late): applying it now would undo the newer one
  // both times capped (see publish-time.ts): a future clock never makes a request look older
  const newest = newestCarriedOut(state.lastCompletedPublishedAt, state.lastChangeAt)
  const publishedAt = orderTime(pending.publishedAt, pending.acceptedAt)
  if (publishedAt !== undefined && newest !== null && publishedAt < newest && pending.done.length === 0) {
    return {
      type: 'complete',
      pending,
      status: 'FAILURE',
      message: `Superseded: a request for service ${state.serviceId} published later (${newest}) was already carried out; this older request (published ${publishedAt}) was not applied`,
    }
  }
  if (pending.failure) {
    const { retryAt } = pending.failure
    // the time comes with the StepFailed event (the drain sets it only while the deadline allows),
    // so this stays pure: whoever runs the step checks the clock
    if (retryAt !== undefined) return { type: 'wait', pending, until: retryAt, next: nextFor(state, pending, desired) }
    return undoOrFail(state, pending, pending.failure)
  }
  return nextFor(state, pending, desired)
}

/**
 * A request that failed for good: first its side effects are taken back (undo.ts), then FAILURE
 * with the first failure's reason and what was taken back, or, when the undo failed for good too,
 * exactly what stayed.
 */
const undoOrFail = (state: ServiceState, pending: PendingRequest, failure: { readonly step: StepName; readonly reason: string }): WorkStep | WaitStep => {
  const failed = `Failed while ${STEP_LABEL[failure.step]}: ${failure.reason}`
  const undo = pending.undo
  if (undo === undefined) return { type: 'complete', pending, status: 'FAILURE', message: failed }
  const plan = undoPlan(state, pending)
  const undone = undo.done.length > 0 ? `; undone: ${undo.done.join(', ')}` : ''
  if (undo.failure !== null && plan.next !== undefined) {
    if (undo.failure.retryAt !== undefined) return { type: 'wait', pending, until: undo.failure.retryAt, next: plan.next }
    const stayed = leftInPlace(state, pending).join(', ')
    return {
      type: 'complete',
      pending,
      status: 'FAILURE',
      message: `${failed}${undone}; undo failed while ${STEP_LABEL[undo.failure.step]}: ${undo.failure.reason}; ${STILL_IN_PLACE} ${stayed}`,
    }
  }
  if (plan.next !== undefined) return plan.next
  const stuck = plan.stuck.length > 0 ? `; ${STILL_IN_PLACE} ${plan.stuck.join(', ')}` : ''
  return { type: 'complete', pending, status: 'FAILURE', message: `${failed}${undone}${stuck}` }
}
