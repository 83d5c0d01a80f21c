/**
 * A service's event history as a readable timeline: one line per event with its version, time,
 * type and the facts an operator looks for (which request, which job, which dashboard, why it
 * failed). Pure; the same entries feed the human output and `--json`.
 */
import type { ServiceEvent } from '../../codecs/events.js'
import type { StoredEvent } from '../../state/store/event-store.js'
import { traceIdOf } from '../../support/tracing/trace-context.js'

export interface TimelineEntry {
  readonly version: number
  readonly at: string
  readonly type: ServiceEvent['type']
  readonly requestId: string
  readonly facts: string
}

/** The request's trace id (find it in Tempo or Jaeger by this id). */
const traceFact = (e: Extract<ServiceEvent, { type: 'RequestAccepted' }>): string => {
  const traceId = traceIdOf(e.trace)
  return traceId === undefined ? '' : ` trace ${traceId}`
}

const requestFacts = (e: Extract<ServiceEvent, { type: 'RequestAccepted' }>): string => `${requestKindFacts(e)}${traceFact(e)}`

const requestKindFacts = (e: Extract<ServiceEvent, { type: 'RequestAccepted' }>): string => {
  const { request } = e
  switch (request.kind) {
    case 'create': {
      const { namespaces, prometheus } = request.payload
      return `create namespaces=${namespaces.join(',')} prometheus=${prometheus.host}:${prometheus.port} from ${e.origin}`
    }
    case 'platform': {
      const name = request.payload.serviceName === undefined ? '' : ` name="${request.payload.serviceName}"`
      return `platform namespaces=${request.payload.namespaces.join(',')}${name} from ${e.origin}`
    }
    case 'delete':
      return `delete from ${e.origin}`
  }
}

/** The key facts of one event, as one line. */
export const factsOf = (e: ServiceEvent): string => {
  switch (e.type) {
    case 'RequestAccepted':
      return requestFacts(e)
    case 'RequestRedelivered':
      return `same request again from ${e.origin}`
    case 'ScrapeJobRegistered':
      return `job ${e.jobName} fingerprint ${e.fingerprint}`
    case 'ScrapeJobRemoved':
      return `job ${e.jobName} ${e.wasPresent ? 'removed' : 'was not present'}`
    case 'DashboardUpserted':
      return `${e.role} ${e.uid} v${e.version} in ${e.folderUid} ${e.url}`
    case 'DashboardsDeleted':
      return e.uids.length === 0 ? 'none found' : e.uids.join(', ')
    case 'StepFailed':
      return `${e.step}${e.retryable ? ' (retryable)' : ''}: ${e.reason}${e.mayHaveChanged === undefined ? '' : ` — may have changed ${e.mayHaveChanged}`}${e.retryAt === undefined ? '' : ` — next attempt at ${e.retryAt}`}`
    case 'RequestCompleted':
      return `${e.status} result ${e.resultId} → ${e.result.topic}`
    case 'ResultPublished':
      return `result ${e.resultId}`
    default: {
      const _never: never = e
      return _never
    }
  }
}

export const timelineOf = (events: readonly StoredEvent[]): readonly TimelineEntry[] =>
  events.map(({ version, event }) => ({ version, at: event.at, type: event.type, requestId: event.requestId, facts: factsOf(event) }))

/** Columns aligned; the request id is shortened to its first 8 characters (the full one is in --json). */
export const formatTimeline = (entries: readonly TimelineEntry[]): string => {
  const width = String(entries[entries.length - 1]?.version ?? 0).length
  return entries
    .map((e) => `  v${String(e.version).padStart(width)}  ${e.at}  ${e.type.padEnd(19)} ${e.requestId.slice(0, 8).padEnd(8)}  ${e.facts}`)
    .join('\n')
}
