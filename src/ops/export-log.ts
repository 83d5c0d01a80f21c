/**
 * export: the event logs as NDJSON, one line per event, in version order per service:
 *
 *   {"serviceId":"svc-1","version":1,"event":{...}}
 *
 * Events are written as decoded (so older schema versions come out upcast to the current one).
 * Snapshots, the inbox dedupe hash and the indexes are not exported: they are all derived from
 * the events, and import rebuilds them.
 */
import type { ServiceEvent } from '../codecs/events.js'
import { readLogPages, type LogAccess } from '../state/store/operator-log.js'

export interface ExportLine {
  readonly serviceId: string
  readonly version: number
  readonly event: ServiceEvent
}

export const exportLineText = (line: ExportLine): string => `${JSON.stringify({ serviceId: line.serviceId, version: line.version, event: line.event })}\n`

export interface ExportReport {
  readonly services: number
  readonly events: number
}

/** Writes each page as one chunk; `write` may return a promise to apply backpressure (a file stream). */
export const exportLog = async (
  log: LogAccess,
  serviceIds: readonly string[],
  write: (chunk: string) => void | Promise<void>,
  onEvents?: (n: number) => void,
): Promise<ExportReport> => {
  let events = 0
  for (const serviceId of serviceIds) {
    events += await readLogPages(log, serviceId, async (page) => {
      await write(page.map(({ version, event }) => exportLineText({ serviceId, version, event })).join(''))
      onEvents?.(page.length)
    })
  }
  return { services: serviceIds.length, events }
}
