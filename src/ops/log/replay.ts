/**
 * replay: rebuild each service's snapshot by folding its whole log from `initialServiceState`,
 * and compare it byte for byte with the stored snapshot text. Snapshots are derived data; the log
 * is the truth, so a snapshot that disagrees with the fold is the thing to fix (a reducer change
 * without a migration, a hand edit, a bug). Writing the rebuilt snapshots is the default; the
 * dry mode (`write: false`) only reports.
 */
import { CorruptEventError, snapshotText } from '../../state/store/event-store.js'
import { evolve } from '../../state/evolve.js'
import { initialServiceState, type ServiceState } from '../../state/service-state.js'
import { logVersion, readLogPages, storedSnapshotText, writeSnapshotIfAt, type LogAccess } from '../../state/store/operator-log.js'

/**
 * identical: the stored text equals the fold of the whole log.
 * stale:     it equals the fold of the log up to its own version; newer events are not in it yet
 *            (normal between a request being accepted and the service working on it).
 * differs:   it equals no fold of the log: the snapshot is wrong.
 * missing:   there is none although the log has events.
 */
export type SnapshotVerdict = 'identical' | 'stale' | 'differs' | 'missing'

export interface ReplayResult {
  readonly serviceId: string
  /** trimmed: the retention pass removed the log's oldest events; they live on only in the snapshot, which is left alone */
  readonly verdict: SnapshotVerdict | 'unreadable' | 'trimmed'
  /** events in the log (the rebuilt snapshot's version) */
  readonly logVersion: number
  /** version the stored snapshot claims, null when missing or not JSON */
  readonly storedVersion: number | null
  readonly written: boolean
  readonly note?: string
}

/** The `version` a stored snapshot claims, read without trusting the rest of it. */
export const claimedVersion = (text: string | null): number | null => {
  if (text === null) return null
  try {
    const parsed = JSON.parse(text) as unknown
    const version = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>)['version'] : undefined
    return typeof version === 'number' ? version : null
  } catch {
    return null
  }
}

/** Pure: the verdict from the stored text, the fold of the whole log, and the fold at the stored version. */
export const judgeSnapshot = (stored: string | null, rebuilt: string, atStoredVersion: string | undefined, logLength: number): SnapshotVerdict => {
  if (stored === null) return logLength === 0 ? 'identical' : 'missing'
  if (stored === rebuilt) return 'identical'
  return atStoredVersion !== undefined && stored === atStoredVersion ? 'stale' : 'differs'
}

export interface ReplayOptions {
  readonly write: boolean
  /** called with the number of events folded, page by page (progress) */
  readonly onEvents?: (n: number) => void
}

export const replayService = async (log: LogAccess, serviceId: string, options: ReplayOptions): Promise<ReplayResult> => {
  const stored = await storedSnapshotText(log, serviceId)
  const storedVersion = claimedVersion(stored)
  let state: ServiceState = initialServiceState(serviceId)
  let atStoredVersion = storedVersion === 0 ? snapshotText(state) : undefined
  let firstVersion: number | undefined
  try {
    await readLogPages(log, serviceId, (page) => {
      firstVersion ??= page[0]?.version
      // a trimmed log cannot be folded from the start: never rebuild (and overwrite) from a part of it
      if (firstVersion !== undefined && firstVersion > 1) return
      for (const { event } of page) {
        state = evolve(state, event)
        if (state.version === storedVersion) atStoredVersion = snapshotText(state)
      }
      options.onEvents?.(page.length)
    })
  } catch (error) {
    if (!(error instanceof CorruptEventError)) throw error
    return { serviceId, verdict: 'unreadable', logVersion: error.version - 1, storedVersion, written: false, note: error.message }
  }
  const trimmedTo = firstVersion === undefined ? await logVersion(log, serviceId) : firstVersion - 1
  if (trimmedTo > 0 && state.version === 0) {
    return {
      serviceId,
      verdict: 'trimmed',
      logVersion: trimmedTo,
      storedVersion,
      written: false,
      note: `events up to v${trimmedTo} were trimmed by the retention policy; the snapshot holds them`,
    }
  }
  const rebuilt = snapshotText(state)
  const verdict = judgeSnapshot(stored, rebuilt, atStoredVersion, state.version)
  if (verdict === 'identical' || !options.write) return { serviceId, verdict, logVersion: state.version, storedVersion, written: false }
  const written = await writeSnapshotIfAt(log, state, rebuilt)
  return {
    serviceId,
    verdict,
    logVersion: state.version,
    storedVersion,
    written,
    ...(written ? {} : { note: 'the log moved on while replaying; the service stores the next snapshot itself' }),
  }
}

export interface ReplaySummary {
  readonly results: readonly ReplayResult[]
  readonly counts: Readonly<Record<ReplayResult['verdict'], number>>
  readonly written: number
}

export const summarize = (results: readonly ReplayResult[]): ReplaySummary => {
  const counts = { identical: 0, stale: 0, differs: 0, missing: 0, unreadable: 0, trimmed: 0 }
  for (const r of results) counts[r.verdict] += 1
  return { results, counts, written: results.filter((r) => r.written).length }
}

/** Replays the services one after another; `onTotal` learns the event count first, for a progress bar. */
export const replayServices = async (
  log: LogAccess,
  serviceIds: readonly string[],
  options: ReplayOptions & { readonly onTotal?: (events: number) => void },
): Promise<ReplaySummary> => {
  if (options.onTotal) {
    const versions = await Promise.all(serviceIds.map((id) => logVersion(log, id)))
    options.onTotal(versions.reduce((a, b) => a + b, 0))
  }
  const results: ReplayResult[] = []
  for (const serviceId of serviceIds) results.push(await replayService(log, serviceId, options))
  return summarize(results)
}

/**
 * Writing: fails only when a log cannot be read. `--check`: also fails when a write would change
 * something (like `prettier --check`), stale and missing snapshots included.
 */
export const replayFailed = (summary: ReplaySummary, write: boolean): boolean =>
  summary.counts.unreadable > 0 || (!write && summary.results.some((r) => r.verdict !== 'identical' && r.verdict !== 'trimmed'))

export const formatReplay = (summary: ReplaySummary, write: boolean): string => {
  const lines = summary.results
    .filter((r) => r.verdict !== 'identical' && r.verdict !== 'trimmed')
    .map((r) => {
      const stored = r.storedVersion === null ? 'no snapshot' : `stored v${r.storedVersion}`
      const action = r.written ? ' → rewritten' : write || r.verdict === 'unreadable' ? '' : ' (not written: --check)'
      return `${r.verdict.padEnd(10)} ${r.serviceId}  log v${r.logVersion}, ${stored}${action}${r.note === undefined ? '' : `  (${r.note})`}`
    })
  const c = summary.counts
  const total = summary.results.length
  const tail = `${total} service${total === 1 ? '' : 's'}: ${c.identical} identical, ${c.stale} stale, ${c.differs} differ, ${c.missing} missing, ${c.unreadable} unreadable${c.trimmed > 0 ? `, ${c.trimmed} trimmed (not checked)` : ''}; ${summary.written} snapshot${summary.written === 1 ? '' : 's'} written`
  return [...lines, tail].join('\n')
}
