/**
 * The reducer as it was written with immer (src/state/evolve.ts before it moved to plain
 * structural updates), kept verbatim as a test oracle: the fold must give byte-for-byte the same
 * snapshots, or every stored snapshot would suddenly "differ" from its log in `replay`.
 */
import { current, isDraft, produce, type Draft } from 'immer'
import type { ChangeTarget, ServiceEvent } from '../../src/codecs/events.js'
import { newestCarriedOut, orderTime, queuePosition } from '../../src/state/publish-time.js'
import { COMPLETED_WINDOW, type ServiceState } from '../../src/state/service-state.js'

type Handle<E extends ServiceEvent['type']> = (draft: Draft<ServiceState>, event: Extract<ServiceEvent, { type: E }>) => void

const pendingOf = (draft: Draft<ServiceState>, requestId: string) => draft.pending.find((p) => p.requestId === requestId)

const requestAccepted: Handle<'RequestAccepted'> = (draft, e) => {
  // the event store dedupes on the CloudEvent id; this guard keeps the fold total anyway
  if (pendingOf(draft, e.requestId) || draft.completed.some((c) => c.requestId === e.requestId)) return
  const publishedAt = orderTime(e.publishedAt, e.at)
  const pending = {
    requestId: e.requestId,
    request: e.request,
    kogito: e.kogito,
    acceptedAt: e.at,
    ...(publishedAt === undefined ? {} : { publishedAt }),
    ...(e.trace === undefined ? {} : { trace: e.trace }),
    ...(e.requestTrace === undefined ? {} : { requestTrace: e.requestTrace }),
    done: [],
    failure: null,
    redeliveries: 0,
    removed: { job: false, dashboardUids: [] },
  }
  draft.pending.splice(queuePosition(draft.pending, publishedAt), 0, pending)
}

const requestRedelivered: Handle<'RequestRedelivered'> = (draft, e) => {
  const pending = pendingOf(draft, e.requestId)
  if (pending) {
    pending.redeliveries += 1
    return
  }
  const outstanding = draft.outstanding.find((o) => o.requestId === e.requestId)
  if (outstanding) {
    outstanding.copies += 1
    return
  }
  const completed = draft.completed.find((c) => c.requestId === e.requestId)
  if (completed) {
    draft.outstanding.push({ requestId: completed.requestId, resultId: completed.resultId, result: completed.result, copies: 1 })
  }
}

/** A value read through the draft, as a plain value (to be stored elsewhere in the draft). */
const plain = <T>(value: T): T => (isDraft(value) ? current<T>(value as Draft<T>) : value)

/** A step of the request succeeded: a failure it was waiting to retry is over. */
const stepSucceeded = (draft: Draft<ServiceState>, requestId: string) => {
  const pending = pendingOf(draft, requestId)
  if (pending?.failure) pending.failure = null
  return pending
}

/** Before its first side effect, a create or platform request notes what was in place. */
const noteBefore = (draft: Draft<ServiceState>, requestId: string): void => {
  const pending = pendingOf(draft, requestId)
  if (pending === undefined || pending.undo !== undefined || pending.before !== undefined || pending.request.kind === 'delete') return
  pending.before = { job: current(draft).job, dashboards: current(draft).dashboards }
}

/** An undo step succeeded: noted for the result message (unless `what` is undefined), a failure it waited on is over, `settled` no longer in doubt. */
const undoStepDone = (draft: Draft<ServiceState>, requestId: string, what: string | undefined, settled: readonly ChangeTarget[] = []): boolean => {
  const undo = pendingOf(draft, requestId)?.undo
  if (undo === undefined) return false
  if (what !== undefined) undo.done.push(what)
  undo.failure = null
  if (undo.mayHaveChanged !== undefined) undo.mayHaveChanged = undo.mayHaveChanged.filter((target) => !settled.includes(target))
  return true
}

const scrapeJobRegistered: Handle<'ScrapeJobRegistered'> = (draft, e) => {
  const pending = pendingOf(draft, e.requestId)
  const restored = pending?.undo === undefined ? undefined : pending.before?.job
  const payload =
    pending?.undo === undefined && pending?.request.kind === 'create'
      ? pending.request.payload
      : draft.job?.fingerprint === e.fingerprint
        ? draft.job.payload
        : undefined
  noteBefore(draft, e.requestId)
  draft.job =
    restored?.fingerprint === e.fingerprint
      ? plain(restored)
      : payload === undefined
        ? { jobName: e.jobName, fingerprint: e.fingerprint }
        : { jobName: e.jobName, fingerprint: e.fingerprint, payload: plain(payload) }
  if (undoStepDone(draft, e.requestId, `restored Prometheus job ${e.jobName} as it was before`, ['job'])) return
  stepSucceeded(draft, e.requestId)?.done.push('registerJob')
}

const scrapeJobRemoved: Handle<'ScrapeJobRemoved'> = (draft, e) => {
  noteBefore(draft, e.requestId)
  const recorded = draft.job !== null
  draft.job = null
  const what = e.wasPresent ? `removed Prometheus job ${e.jobName}` : recorded ? `Prometheus job ${e.jobName} was already gone` : undefined
  if (undoStepDone(draft, e.requestId, what, ['job'])) return
  const pending = stepSucceeded(draft, e.requestId)
  if (!pending) return
  pending.done.push('removeJob')
  pending.removed.job = e.wasPresent
}

const dashboardUpserted: Handle<'DashboardUpserted'> = (draft, e) => {
  const { uid, id, url, version, folderUid, fingerprint, leftInFolder } = e
  const owner = pendingOf(draft, e.requestId)
  const restored = owner?.undo === undefined ? undefined : owner.before?.dashboards[e.role]
  const previous = draft.dashboards[e.role]
  const source =
    restored?.fingerprint === fingerprint
      ? restored.payload
      : owner !== undefined && owner.undo === undefined && owner.request.kind !== 'delete'
        ? owner.request.payload
        : previous?.fingerprint === fingerprint
          ? previous.payload
          : undefined
  const payload = source === undefined ? undefined : plain(source)
  noteBefore(draft, e.requestId)
  draft.dashboards[e.role] = {
    uid,
    ...(id === undefined ? {} : { id }),
    url,
    version,
    folderUid,
    fingerprint,
    ...(leftInFolder === undefined ? {} : { leftInFolder }),
    ...(payload === undefined ? {} : { payload }),
  }
  if (undoStepDone(draft, e.requestId, `restored dashboard ${uid} as it was before`, [e.role])) return
  stepSucceeded(draft, e.requestId)
}

const dashboardsDeleted: Handle<'DashboardsDeleted'> = (draft, e) => {
  const owner = pendingOf(draft, e.requestId)
  noteBefore(draft, e.requestId)
  let recorded = false
  for (const role of ['metrics', 'logs', 'platform'] as const) {
    const gone =
      owner?.undo !== undefined
        ? owner.before?.dashboards[role] === undefined
        : draft.dashboards[role] !== undefined && e.uids.includes(draft.dashboards[role].uid)
    if (draft.dashboards[role] && gone) {
      delete draft.dashboards[role]
      recorded = true
    }
  }
  // an undo's delete of dashboards whose save may have landed (none recorded as added): settles those
  const deleted = e.uids.length > 0 ? `deleted dashboard(s) ${e.uids.join(', ')}` : undefined
  const unsure = (owner?.undo?.mayHaveChanged ?? []).filter((target) => target !== 'job' && owner?.before?.dashboards[target] === undefined)
  if (undoStepDone(draft, e.requestId, recorded ? (deleted ?? 'its dashboards were already gone') : deleted, recorded ? [] : unsure)) return
  const pending = stepSucceeded(draft, e.requestId)
  if (!pending) return
  pending.done.push('deleteDashboards')
  pending.removed.dashboardUids.push(...e.uids)
}

const stepFailed: Handle<'StepFailed'> = (draft, e) => {
  const pending = pendingOf(draft, e.requestId)
  if (!pending) return
  const failure = e.retryAt === undefined ? { step: e.step, reason: e.reason } : { step: e.step, reason: e.reason, retryAt: e.retryAt }
  if (pending.undo !== undefined) {
    if (e.retryable) pending.attempts = (pending.attempts ?? 0) + 1
    pending.undo.failure = failure
    return
  }
  // a write that may have landed unseen counts as a side effect, on any attempt (when first: what is in place is what the request found)
  if (pending.request.kind !== 'delete' && e.mayHaveChanged !== undefined) {
    if (pending.before === undefined) pending.before = { job: current(draft).job, dashboards: current(draft).dashboards }
    if (pending.mayHaveChanged === undefined) pending.mayHaveChanged = [e.mayHaveChanged]
    else if (!pending.mayHaveChanged.includes(e.mayHaveChanged)) pending.mayHaveChanged.push(e.mayHaveChanged)
  }
  pending.failure = failure
  if (e.retryable) pending.attempts = (pending.attempts ?? 0) + 1
  if (e.retryAt !== undefined || pending.request.kind === 'delete') return
  if (pending.before === undefined) return
  pending.undo = { since: e.at, done: [], failure: null, ...(pending.mayHaveChanged === undefined ? {} : { mayHaveChanged: [...pending.mayHaveChanged] }) }
  delete pending.mayHaveChanged
}

const requestCompleted: Handle<'RequestCompleted'> = (draft, e) => {
  const index = draft.pending.findIndex((p) => p.requestId === e.requestId)
  if (index < 0) return
  const [pending] = draft.pending.splice(index, 1)
  const kind = pending?.request.kind
  if (e.status === 'FAILURE') draft.status = 'failed'
  else if (kind === 'delete') draft.status = 'deleted'
  else draft.status = 'active'
  const publishedAt = pending === undefined ? undefined : orderTime(pending.publishedAt, pending.acceptedAt)
  const newest = newestCarriedOut(draft.lastCompletedPublishedAt, draft.lastChangeAt)
  if (publishedAt !== undefined && (newest === null || newest < publishedAt)) draft.lastCompletedPublishedAt = publishedAt
  else if (newest !== draft.lastCompletedPublishedAt) draft.lastCompletedPublishedAt = newest
  draft.outstanding.push({ requestId: e.requestId, resultId: e.resultId, result: e.result, copies: 1 + (pending?.redeliveries ?? 0) })
  draft.completed.push({ requestId: e.requestId, resultId: e.resultId, status: e.status, result: e.result })
  if (draft.completed.length > COMPLETED_WINDOW) draft.completed.splice(0, draft.completed.length - COMPLETED_WINDOW)
}

const resultPublished: Handle<'ResultPublished'> = (draft, e) => {
  const index = draft.outstanding.findIndex((o) => o.resultId === e.resultId)
  const outstanding = draft.outstanding[index]
  if (!outstanding) return
  if (outstanding.copies > 1) outstanding.copies -= 1
  else draft.outstanding.splice(index, 1)
}

const applyEvent = (draft: Draft<ServiceState>, event: ServiceEvent): void => {
  switch (event.type) {
    case 'RequestAccepted':
      return requestAccepted(draft, event)
    case 'RequestRedelivered':
      return requestRedelivered(draft, event)
    case 'ScrapeJobRegistered':
      return scrapeJobRegistered(draft, event)
    case 'ScrapeJobRemoved':
      return scrapeJobRemoved(draft, event)
    case 'DashboardUpserted':
      return dashboardUpserted(draft, event)
    case 'DashboardsDeleted':
      return dashboardsDeleted(draft, event)
    case 'StepFailed':
      return stepFailed(draft, event)
    case 'RequestCompleted':
      return requestCompleted(draft, event)
    case 'ResultPublished':
      return resultPublished(draft, event)
    default: {
      const _never: never = event
      return _never
    }
  }
}

/** Every event advances the version by one and sets the last change to the event's time. */
const applyCounted = (draft: Draft<ServiceState>, event: ServiceEvent): void => {
  applyEvent(draft, event)
  draft.version += 1
  draft.lastChangeAt = event.at
}

/** Fold one event: the snapshot's version advances by one and its last change is the event's time. */
export const evolve = (state: ServiceState, event: ServiceEvent): ServiceState => produce(state, (draft) => applyCounted(draft, event))

/**
 * Fold many events in ONE immer draft (replay folds whole logs: one produce per event would copy
 * and freeze the state once per event). Same result as `events.reduce(evolve, state)`.
 */
export const fold = (state: ServiceState, events: readonly ServiceEvent[]): ServiceState =>
  events.length === 0
    ? state
    : produce(state, (draft) => {
        for (const event of events) applyCounted(draft, event)
      })
