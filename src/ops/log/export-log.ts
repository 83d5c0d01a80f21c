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
import type { ServiceEvent } from '../../codecs/events.js'
import { lastChangeOf, logVersion, readLogPages, storedSnapshotText, type LogAccess } from '../../state/store/operator-log.js'
import { decodeSnapshot } from '../../state/snapshot-codec.js'
import type { ServiceState } from '../../state/service-state.js'

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

/** Tries the read again when the retention pass moved the snapshot on between the two reads (nothing is written before). */
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

/** The stored snapshot does not reach the oldest event kept: read again (the retention pass moved on), or give up. */
class BaseShort extends Error {
  constructor(
    readonly first: number,
    readonly base: Base | undefined,
  ) {
    super('base short')
  }
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
    // decided on the oldest event kept, before anything of the service is written
    const headFor = (first: number): string => {
      if (first <= 1) return ''
      if (base !== undefined && base.state.version >= first - 1) {
        return snapshotLineText({ serviceId, kind: 'snapshot', version: base.state.version, lastChangeMs: base.lastChangeMs, snapshot: base.state })
      }
      throw new BaseShort(first, base)
    }
    try {
      let head: string | undefined
      const events = await readLogPages(log, serviceId, async (page) => {
        const text = page.map(({ version, event }) => exportLineText({ serviceId, version, event })).join('')
        const first = head === undefined
        head ??= headFor(page[0]?.version ?? 1)
        await write(first ? head + text : text)
        onEvents?.(page.length)
      })
      if (head === undefined) {
        head = headFor((await logVersion(log, serviceId)) + 1)
        if (head !== '') await write(head)
      }
      return { events, fromSnapshot: head !== '' }
    } catch (error) {
      if (!(error instanceof BaseShort)) throw error
      if (attempt >= ATTEMPTS) {
        const why = error.base === undefined ? 'its snapshot is missing or cannot be decoded' : `its snapshot holds up to v${error.base.state.version} only`
        throw new UnexportableLogError(
          `service ${serviceId}: events up to v${error.first - 1} were trimmed and ${why}; nothing can rebuild it (run replay --check, restore it from an older export)`,
        )
      }
    }
  }
}

/** Writes page by page (a trimmed log's snapshot line with its first page); `write` may return a promise to apply backpressure (a file stream). */
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
