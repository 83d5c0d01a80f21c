/**
 * import: rebuild event logs from an export (see export-log.ts). For every service in the file:
 * the stream with entry ids `0-<version>` (a trimmed log from its base snapshot, which becomes
 * the stored snapshot's starting point), the version counter, the inbox dedupe hash (CloudEvent
 * id → version, from the RequestAccepted events, so a redelivered request is still recognized),
 * the snapshot (the fold of the log), the services index (score: the last event's time) and, when
 * the fold still owes work (pending requests, unpublished results), the pending index so a
 * running service resumes it.
 *
 * The whole file is parsed and checked before anything is written. A service that already has
 * events is refused, and then nothing at all is imported, unless `force` (its keys are replaced).
 * Meant for a store no service is writing to at that moment (restore, migration).
 */
import * as E from 'fp-ts/lib/Either.js'
import { ServiceId } from '../../codecs/primitives.js'
import type { ServiceEvent } from '../../codecs/events.js'
import { decodeEvent } from '../../state/event-codec.js'
import { fold } from '../../state/evolve.js'
import { initialServiceState, type ServiceState } from '../../state/service-state.js'
import { decodeSnapshot } from '../../state/snapshot-codec.js'
import type { StoredEvent } from '../../state/store/event-store.js'
import { existingVersion, writeImportedLog, type LogAccess } from '../../state/store/operator-log.js'

const MAX_REPORTED_ERRORS = 20

/** One service's log as read from the file: its base snapshot when it was trimmed, and its events. */
export interface ImportedLog {
  readonly base?: { readonly state: ServiceState; readonly lastChangeMs: number | null }
  readonly events: readonly StoredEvent[]
}

type Record_ = Readonly<Record<string, unknown>>

/** The serviceId an event names itself, where it names one (a request's payload). */
const namedServiceId = (event: ServiceEvent): string | undefined => ('request' in event ? event.request.payload.serviceId : undefined)

/**
 * Pure line-by-line collector: checks each line's shape, its serviceId (one the service would
 * accept, and the one its event or snapshot names), the event codec, and that each service's
 * versions run on without a gap: from 1, or from its base snapshot (`kind: "snapshot"`, first).
 */
export const createImportParser = () => {
  const logs = new Map<string, { base?: ImportedLog['base']; events: StoredEvent[] }>()
  const errors: string[] = []
  let lineNo = 0
  const error = (message: string) => {
    if (errors.length < MAX_REPORTED_ERRORS) errors.push(`line ${lineNo}: ${message}`)
    else if (errors.length === MAX_REPORTED_ERRORS) errors.push('... more errors not shown')
  }
  const snapshotLine = (serviceId: string, version: number, record: Record_): void => {
    if (logs.has(serviceId)) return error(`service ${serviceId}: a snapshot line must come before its events, once`)
    const state = decodeSnapshot(JSON.stringify(record['snapshot'] ?? null), serviceId)
    if (state === undefined) return error(`service ${serviceId}: the snapshot does not decode or is another service's`)
    if (state.version !== version) return error(`service ${serviceId}: snapshot line version ${version} but its snapshot is at ${state.version}`)
    const lastChangeMs = record['lastChangeMs']
    logs.set(serviceId, { base: { state, lastChangeMs: typeof lastChangeMs === 'number' ? lastChangeMs : null }, events: [] })
  }
  const eventLine = (serviceId: string, version: number, record: Record_): void => {
    const decoded = decodeEvent(JSON.stringify(record['event'] ?? null))
    if (E.isLeft(decoded)) return error(`event ${serviceId} v${version}: ${decoded.left}`)
    const named = namedServiceId(decoded.right)
    if (named !== undefined && named !== serviceId) return error(`event ${serviceId} v${version}: its request is for service ${named}`)
    const log = logs.get(serviceId) ?? { events: [] }
    const previous = log.events[log.events.length - 1]?.version
    // after a base at S the stream may still hold events it includes: any start from 2 to S + 1
    const fits =
      previous !== undefined ? version === previous + 1 : log.base === undefined ? version === 1 : version > 1 && version <= log.base.state.version + 1
    if (!fits) {
      const expected = previous !== undefined ? String(previous + 1) : log.base === undefined ? '1' : `2 to ${log.base.state.version + 1}`
      return error(`service ${serviceId}: version ${version} where ${expected} was expected`)
    }
    log.events.push({ version, event: decoded.right })
    logs.set(serviceId, log)
  }
  return {
    line: (text: string): void => {
      lineNo += 1
      if (text.trim() === '') return
      let raw: unknown
      try {
        raw = JSON.parse(text)
      } catch {
        return error('not JSON')
      }
      const record = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record_) : undefined
      const serviceId = record?.['serviceId']
      const version = record?.['version']
      if (record === undefined || typeof serviceId !== 'string' || serviceId === '' || typeof version !== 'number')
        return error('expected {"serviceId","version","event"}')
      if (!ServiceId.is(serviceId)) return error(`serviceId ${JSON.stringify(serviceId.slice(0, 140))} is not one the service accepts (${ServiceId.name})`)
      if (record['kind'] === 'snapshot') return snapshotLine(serviceId, version, record)
      return eventLine(serviceId, version, record)
    },
    result: (): E.Either<readonly string[], ReadonlyMap<string, ImportedLog>> => (errors.length > 0 ? E.left(errors) : E.right(logs)),
  }
}

export const parseImport = async (lines: AsyncIterable<string> | Iterable<string>): Promise<E.Either<readonly string[], ReadonlyMap<string, ImportedLog>>> => {
  const parser = createImportParser()
  for await (const line of lines) parser.line(line)
  return parser.result()
}

export interface ImportReport {
  readonly imported: ReadonlyArray<{
    readonly serviceId: string
    readonly events: number
    readonly status: ServiceState['status']
    readonly replaced: boolean
    readonly fromSnapshot: boolean
  }>
  /** services that already had events (nothing was written when this is non-empty) */
  readonly refused: readonly string[]
}

const lastChangeMs = (state: ServiceState, nowMs: number): number => {
  const ms = state.lastChangeAt === null ? Number.NaN : Date.parse(state.lastChangeAt)
  return Number.isNaN(ms) ? nowMs : ms
}

/** The fold of the log: from its base (only the events after it), or from the start. */
const writeService = async (log: LogAccess, serviceId: string, imported: ImportedLog, nowMs: number): Promise<ServiceState> => {
  const { base, events } = imported
  const from = base?.state ?? initialServiceState(serviceId)
  const state = fold(
    from,
    events.filter((e) => e.version > from.version).map((e) => e.event),
  )
  await writeImportedLog(log, state, events, base?.lastChangeMs ?? lastChangeMs(state, nowMs))
  return state
}

export const importLogs = async (
  log: LogAccess,
  logs: ReadonlyMap<string, ImportedLog>,
  options: { readonly force: boolean; readonly nowMs: number },
): Promise<ImportReport> => {
  const existing = new Map<string, number>()
  for (const serviceId of logs.keys()) existing.set(serviceId, await existingVersion(log, serviceId))
  const taken = [...existing].filter(([, v]) => v > 0).map(([id]) => id)
  if (taken.length > 0 && !options.force) return { imported: [], refused: taken }
  const imported: Array<ImportReport['imported'][number]> = []
  for (const [serviceId, imported_] of logs) {
    const replaced = (existing.get(serviceId) ?? 0) > 0
    const state = await writeService(log, serviceId, imported_, options.nowMs)
    imported.push({ serviceId, events: imported_.events.length, status: state.status, replaced, fromSnapshot: imported_.base !== undefined })
  }
  return { imported, refused: [] }
}
