/**
 * inspect: one service as the log tells it — the state folded from its whole log (not the stored
 * snapshot, which may lag or be wrong; how it compares is reported too) and its history.
 */
import { DASHBOARD_ROLES } from '../codecs/dashboard-role.js'
import { snapshotText, type EventStore } from '../state/store/event-store.js'
import { fold } from '../state/evolve.js'
import { initialServiceState, type ServiceState } from '../state/service-state.js'
import { claimedVersion, judgeSnapshot, type SnapshotVerdict } from './replay.js'
import { formatTimeline, timelineOf, type TimelineEntry } from './timeline.js'

export interface Inspection {
  readonly serviceId: string
  readonly state: ServiceState
  readonly snapshot: SnapshotVerdict
  readonly timeline: readonly TimelineEntry[]
}

/** undefined when the service has no events at all. */
export const inspectService = async (store: EventStore, serviceId: string): Promise<Inspection | undefined> => {
  const events = await store.readEvents(serviceId)
  if (events.length === 0) return undefined
  const all = events.map((e) => e.event)
  const state = fold(initialServiceState(serviceId), all)
  const stored = await store.readSnapshotText(serviceId)
  const storedVersion = claimedVersion(stored)
  const atStored = storedVersion !== null && storedVersion <= all.length ? snapshotText(fold(initialServiceState(serviceId), all.slice(0, storedVersion))) : undefined
  return { serviceId, state, snapshot: judgeSnapshot(stored, snapshotText(state), atStored, state.version), timeline: timelineOf(events) }
}

const indent = (lines: readonly string[], none = 'none'): string => (lines.length === 0 ? none : lines.join('\n                '))

/** A request that failed for good is taking back its side effects before it answers FAILURE. */
const undoText = ({ undo }: ServiceState['pending'][number]): string => {
  if (undo === undefined) return ''
  const done = undo.done.length === 0 ? '' : `; undone: ${undo.done.join(', ')}`
  const failure =
    undo.failure === null ? ''
    : undo.failure.retryAt === undefined ? `; undo FAILED at ${undo.failure.step}: ${undo.failure.reason}`
    : `; undo WAITING until ${undo.failure.retryAt} to retry ${undo.failure.step}: ${undo.failure.reason}`
  return ` UNDOING since ${undo.since}${done}${failure}`
}

export const formatInspection = ({ serviceId, state, snapshot, timeline }: Inspection): string => {
  const dashboards = DASHBOARD_ROLES.flatMap((role) => {
    const d = state.dashboards[role]
    return d === undefined ? [] : [`${role.padEnd(8)} ${d.uid} v${d.version} ${d.url}`]
  })
  const pending = state.pending.map((p, i) => {
    const attempts = p.attempts === undefined ? '' : ` (${p.attempts} failed attempt(s))`
    const failure =
      p.failure === null ? attempts
      : p.failure.retryAt === undefined ? ` FAILED at ${p.failure.step}: ${p.failure.reason}${attempts}`
      : ` WAITING until ${p.failure.retryAt} to retry ${p.failure.step}${attempts}: ${p.failure.reason}`
    const done = p.done.length === 0 ? '' : ` done=${p.done.join(',')}`
    return `${i + 1}. ${p.request.kind} ${p.requestId} accepted ${p.acceptedAt}${done}${failure}${undoText(p)}`
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
    `History (${timeline.length} event${timeline.length === 1 ? '' : 's'}):`,
    formatTimeline(timeline),
  ].join('\n')
}

/** The --json shape: the folded state, the snapshot verdict, the timeline. */
export const inspectionJson = ({ serviceId, state, snapshot, timeline }: Inspection) => ({ serviceId, snapshot, state, timeline })
