/**
 * export: the event logs as NDJSON, in version order per service, one line per event:
 *
 *   {"serviceId":"svc-1","version":1,"event":{...}}
 *
 * A log whose oldest events the retention pass trimmed (they live on only in the snapshot) starts
 * with its base, the stored snapshot, marked as such, then every event still in the stream:
 *
 *   {"serviceId":"svc-1","kind":"snapshot","version":7,"lastChangeMs":1730455205000,"snapshot":{...}}
 *
 * Events still in the stream but already in the snapshot (version <= its version) are written
 * too, so the restored stream (and `inspect`'s history) is the same; import does not fold them.
 * Events are written as decoded (older schema versions come out upcast to the current one), and
 * the event codec decides what an event is: a new event type is exported with no change here.
 * The inbox dedupe hash and the indexes are derived, and import rebuilds them.
 */
import type { ServiceEvent } from '../codecs/events.js'
import type { StoredEvent } from '../state/store/event-store.js'
import { lastChangeOf, logVersion, readLogPages, storedSnapshotText, type LogAccess } from '../state/store/operator-log.js'
import { decodeSnapshot } from '../state/snapshot-codec.js'
import type { ServiceState } from '../state/service-state.js'

export interface ExportLine {
  readonly serviceId: string
  readonly version: number
  readonly event: ServiceEvent
}

/** The base of a trimmed log: the snapshot holding its trimmed events, and the services index's last change. */
export interface SnapshotLine {
  readonly serviceId: string
  readonly kind: 'snapshot'
  readonly version: number
  readonly lastChangeMs: number | null
  readonly snapshot: ServiceState
}

export const exportLineText = (line: ExportLine): string => `${JSON.stringify({ serviceId: line.serviceId, version: line.version, event: line.event })}\n`

export const snapshotLineText = (line: SnapshotLine): string =>
  `${JSON.stringify({ serviceId: line.serviceId, kind: 'snapshot', version: line.version, lastChangeMs: line.lastChangeMs, snapshot: line.snapshot })}\n`

export interface ExportReport {
  readonly services: number
  readonly events: number
  /** services written with a snapshot as their base (their oldest events were trimmed) */
  readonly fromSnapshot: number
}

/** A trimmed log whose snapshot is missing or damaged cannot be exported: nothing would rebuild it. */
export class UnexportableLogError extends Error {}

/** Tries the read again when the retention pass moved the snapshot on between the two reads. */
const ATTEMPTS = 3

interface Base {
  readonly state: ServiceState
  readonly lastChangeMs: number | null
}

/** The base a trimmed log needs, read before its events: retention only ever trims what a snapshot holds. */
const readBase = async (log: LogAccess, serviceId: string, lastChangeMs: (id: string) => Promise<number | null>): Promise<Base | undefined> => {
  const text = await storedSnapshotText(log, serviceId)
  const state = text === null ? undefined : decodeSnapshot(text, serviceId)
  return state === undefined ? undefined : { state, lastChangeMs: await lastChangeMs(serviceId) }
}

const exportService = async (
  log: LogAccess,
  serviceId: string,
  write: (chunk: string) => void | Promise<void>,
  lastChangeMs: (id: string) => Promise<number | null>,
  onEvents?: (n: number) => void,
): Promise<{ events: number; fromSnapshot: boolean }> => {
  for (let attempt = 1; ; attempt += 1) {
    const base = await readBase(log, serviceId, lastChangeMs)
    const events: StoredEvent[] = []
    await readLogPages(log, serviceId, (page) => void events.push(...page))
    const first = events[0]?.version ?? (await logVersion(log, serviceId)) + 1
    if (first <= 1) {
      await write(events.map(({ version, event }) => exportLineText({ serviceId, version, event })).join(''))
      onEvents?.(events.length)
      return { events: events.length, fromSnapshot: false }
    }
    if (base !== undefined && base.state.version >= first - 1) {
      const head = snapshotLineText({ serviceId, kind: 'snapshot', version: base.state.version, lastChangeMs: base.lastChangeMs, snapshot: base.state })
      await write(head + events.map(({ version, event }) => exportLineText({ serviceId, version, event })).join(''))
      onEvents?.(events.length)
      return { events: events.length, fromSnapshot: true }
    }
    if (attempt >= ATTEMPTS) {
      const why = base === undefined ? 'its snapshot is missing or cannot be decoded' : `its snapshot holds up to v${base.state.version} only`
      throw new UnexportableLogError(`service ${serviceId}: events up to v${first - 1} were trimmed and ${why}; nothing can rebuild it (run replay --check, restore it from an older export)`)
    }
  }
}

/** Writes each service as one chunk; `write` may return a promise to apply backpressure (a file stream). */
export const exportLog = async (
  log: LogAccess,
  serviceIds: readonly string[],
  write: (chunk: string) => void | Promise<void>,
  onEvents?: (n: number) => void,
): Promise<ExportReport> => {
  const lastChangeMs = (serviceId: string) => lastChangeOf(log, serviceId)
  let events = 0
  let fromSnapshot = 0
  for (const serviceId of serviceIds) {
    const written = await exportService(log, serviceId, write, lastChangeMs, onEvents)
    events += written.events
    fromSnapshot += written.fromSnapshot ? 1 : 0
  }
  return { services: serviceIds.length, events, fromSnapshot }
}
