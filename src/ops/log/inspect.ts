/**
 * inspect: one service as the log tells it — the state folded from its whole log (not the stored
 * snapshot, which may lag or be wrong; how it compares is reported too) and its history.
 */
import { DASHBOARD_ROLES } from '../../codecs/dashboard-role.js'
import { snapshotText, type EventStore, type StoredEvent } from '../../state/store/event-store.js'
import { fold } from '../../state/evolve.js'
import { initialServiceState, type ServiceState } from '../../state/service-state.js'
import { claimedVersion, judgeSnapshot, type SnapshotVerdict } from './replay.js'
import { formatTimeline, timelineOf, type TimelineEntry } from './timeline.js'
import { traceIdOf } from '../../support/tracing/trace-context.js'

export interface Inspection {
  readonly serviceId: string
  readonly state: ServiceState
  readonly snapshot: SnapshotVerdict
  readonly timeline: readonly TimelineEntry[]
  /** the retention pass trimmed the events up to this version: the state comes from the snapshot holding them */
  readonly trimmedTo?: number
}

/** A trimmed log is read as the service loads it: the stored snapshot, then the events after it. */
const inspectTrimmed = async (store: EventStore, serviceId: string, events: readonly StoredEvent[]): Promise<Inspection | undefined> => {
  const state = await store.load(serviceId)
  if (state.version === 0) return undefined
  const stored = await store.readSnapshotText(serviceId)
  const rebuilt = snapshotText(state)
  const storedVersion = claimedVersion(stored)
  const snapshot: SnapshotVerdict =
    stored === rebuilt ? 'identical' : stored === null ? 'missing' : storedVersion !== null && storedVersion < state.version ? 'stale' : 'differs'
  const trimmedTo = (events[0]?.version ?? state.version + 1) - 1
  return { serviceId, state, snapshot, timeline: timelineOf(events), trimmedTo }
}

/** undefined when the service has no events at all (nor a snapshot holding trimmed ones). */
export const inspectService = async (store: EventStore, serviceId: string): Promise<Inspection | undefined> => {
  const events = await store.readEvents(serviceId)
  if (events.length === 0 || events[0]!.version > 1) return inspectTrimmed(store, serviceId, events)
  const all = events.map((e) => e.event)
  const state = fold(initialServiceState(serviceId), all)
  const stored = await store.readSnapshotText(serviceId)
  const storedVersion = claimedVersion(stored)
  const atStored =
    storedVersion !== null && storedVersion <= all.length ? snapshotText(fold(initialServiceState(serviceId), all.slice(0, storedVersion))) : undefined
  return { serviceId, state, snapshot: judgeSnapshot(stored, snapshotText(state), atStored, state.version), timeline: timelineOf(events) }
}

const indent = (lines: readonly string[], none = 'none'): string => (lines.length === 0 ? none : lines.join('\n                '))

/** A request that failed for good is taking back its side effects before it answers FAILURE. */
const undoText = ({ undo }: ServiceState['pending'][number]): string => {
  if (undo === undefined) return ''
  const done = undo.done.length === 0 ? '' : `; undone: ${undo.done.join(', ')}`
  const failure =
    undo.failure === null
      ? ''
      : undo.failure.retryAt === undefined
        ? `; undo FAILED at ${undo.failure.step}: ${undo.failure.reason}`
        : `; undo WAITING until ${undo.failure.retryAt} to retry ${undo.failure.step}: ${undo.failure.reason}`
  // a write that got no answer may have landed: the undo takes it back too, last
  const unsure = undo.mayHaveChanged === undefined || undo.mayHaveChanged.length === 0 ? '' : `; may have landed unseen: ${undo.mayHaveChanged.join(', ')}`
  return ` UNDOING since ${undo.since}${done}${unsure}${failure}`
}

export const formatInspection = ({ serviceId, state, snapshot, timeline, trimmedTo }: Inspection): string => {
  const dashboards = DASHBOARD_ROLES.flatMap((role) => {
    const d = state.dashboards[role]
    return d === undefined ? [] : [`${role.padEnd(8)} ${d.uid} v${d.version} ${d.url}`]
  })
  const pending = state.pending.map((p, i) => {
    const attempts = p.attempts === undefined ? '' : ` (${p.attempts} failed attempt(s))`
    const failure =
      p.failure === null
        ? attempts
        : p.failure.retryAt === undefined
          ? ` FAILED at ${p.failure.step}: ${p.failure.reason}${attempts}`
          : ` WAITING until ${p.failure.retryAt} to retry ${p.failure.step}${attempts}: ${p.failure.reason}`
    const done = p.done.length === 0 ? '' : ` done=${p.done.join(',')}`
    const traceId = traceIdOf(p.trace)
    const trace = traceId === undefined ? '' : ` trace=${traceId}`
    return `${i + 1}. ${p.request.kind} ${p.requestId} accepted ${p.acceptedAt}${trace}${done}${failure}${undoText(p)}`
  })
  const outstanding = state.outstanding.map((o) => `${o.resultId} → ${o.result.topic} (${o.copies} cop${o.copies === 1 ? 'y' : 'ies'} owed) for ${o.requestId}`)
  return [
    `Service ${serviceId}`,
    `  status:       ${state.status} (version ${state.version}, last change ${state.lastChangeAt ?? 'never'})`,
    `  snapshot:     ${snapshot}`,
    `  job:          ${state.job === null ? 'none' : `${state.job.jobName} (fingerprint ${state.job.fingerprint})`}`,
    `  dashboards:   ${indent(dashboards)}`,
    `  pending:      ${indent(pending)}`,
    `  outstanding:  ${indent(outstanding)}`,
    `History (${timeline.length} event${timeline.length === 1 ? '' : 's'}${trimmedTo === undefined ? '' : `; v1-v${trimmedTo} trimmed by the retention policy, held by the snapshot`}):`,
    formatTimeline(timeline),
  ].join('\n')
}

/** The --json shape: the folded state, the snapshot verdict, the timeline. */
export const inspectionJson = ({ serviceId, state, snapshot, timeline, trimmedTo }: Inspection) => ({
  serviceId,
  snapshot,
  state,
  timeline,
  ...(trimmedTo === undefined ? {} : { trimmedTo }),
})
