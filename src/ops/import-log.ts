/**
 * import: rebuild event logs from an export (see export-log.ts). For every service in the file:
 * the stream with entry ids `0-<version>`, the version counter, the inbox dedupe hash (CloudEvent
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
import type { ServiceEvent } from '../codecs/events.js'
import { decodeEvent } from '../state/event-codec.js'
import { fold } from '../state/evolve.js'
import { initialServiceState, type ServiceState } from '../state/service-state.js'
import { existingVersion, writeImportedLog, type LogAccess } from '../state/store/operator-log.js'

const MAX_REPORTED_ERRORS = 20

/** Pure line-by-line collector: checks shape, event codec, and that each service's versions run 1, 2, 3... */
export const createImportParser = () => {
  const logs = new Map<string, ServiceEvent[]>()
  const errors: string[] = []
  let lineNo = 0
  const error = (message: string) => {
    if (errors.length < MAX_REPORTED_ERRORS) errors.push(`line ${lineNo}: ${message}`)
    else if (errors.length === MAX_REPORTED_ERRORS) errors.push('... more errors not shown')
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
      const record = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined
      const serviceId = record?.['serviceId']
      const version = record?.['version']
      if (typeof serviceId !== 'string' || serviceId === '' || typeof version !== 'number') return error('expected {"serviceId","version","event"}')
      const decoded = decodeEvent(JSON.stringify(record?.['event'] ?? null))
      if (E.isLeft(decoded)) return error(`event ${serviceId} v${version}: ${decoded.left}`)
      const log = logs.get(serviceId) ?? []
      if (version !== log.length + 1) return error(`service ${serviceId}: version ${version} where ${log.length + 1} was expected`)
      log.push(decoded.right)
      logs.set(serviceId, log)
    },
    result: (): E.Either<readonly string[], ReadonlyMap<string, readonly ServiceEvent[]>> => (errors.length > 0 ? E.left(errors) : E.right(logs)),
  }
}

export const parseImport = async (lines: AsyncIterable<string> | Iterable<string>): Promise<E.Either<readonly string[], ReadonlyMap<string, readonly ServiceEvent[]>>> => {
  const parser = createImportParser()
  for await (const line of lines) parser.line(line)
  return parser.result()
}

export interface ImportReport {
  readonly imported: ReadonlyArray<{ readonly serviceId: string; readonly events: number; readonly status: ServiceState['status']; readonly replaced: boolean }>
  /** services that already had events (nothing was written when this is non-empty) */
  readonly refused: readonly string[]
}

const lastChangeMs = (state: ServiceState, nowMs: number): number => {
  const ms = state.lastChangeAt === null ? Number.NaN : Date.parse(state.lastChangeAt)
  return Number.isNaN(ms) ? nowMs : ms
}

const writeService = async (log: LogAccess, serviceId: string, events: readonly ServiceEvent[], nowMs: number): Promise<ServiceState> => {
  const state = fold(initialServiceState(serviceId), events)
  await writeImportedLog(log, state, events, lastChangeMs(state, nowMs))
  return state
}

export const importLogs = async (log: LogAccess, logs: ReadonlyMap<string, readonly ServiceEvent[]>, options: { readonly force: boolean; readonly nowMs: number }): Promise<ImportReport> => {
  const existing = new Map<string, number>()
  for (const serviceId of logs.keys()) existing.set(serviceId, await existingVersion(log, serviceId))
  const taken = [...existing].filter(([, v]) => v > 0).map(([id]) => id)
  if (taken.length > 0 && !options.force) return { imported: [], refused: taken }
  const imported: Array<ImportReport['imported'][number]> = []
  for (const [serviceId, events] of logs) {
    const replaced = (existing.get(serviceId) ?? 0) > 0
    const state = await writeService(log, serviceId, events, options.nowMs)
    imported.push({ serviceId, events: events.length, status: state.status, replaced })
  }
  return { imported, refused: [] }
}
