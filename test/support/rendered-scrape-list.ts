/**
 * A scrape list rendered from scratch, every item re-dumped with the service's renderer: how tests
 * and benches build a whole secret or edit it "by hand". The service never writes the shared
 * secret this way (it splices its own items, src/effects/prometheus/owned-list-edits.ts).
 */
import { right, type Either } from 'fp-ts/lib/Either.js'
import { findItem, fragment, parseScrapeList, type ParseError, type ScrapeItem, type JobChange } from '../../src/effects/prometheus/scrape-config-list.js'
import type { ScrapeJob } from '../../src/effects/prometheus/scrape-job.js'

export interface ScrapeConfigEntry extends ScrapeItem {
  /** this entry rendered as a one-item YAML list (`- ...\n`) */
  readonly yaml: string
}
export interface ScrapeConfigList {
  readonly entries: readonly ScrapeConfigEntry[]
}

export const emptyScrapeConfigList: ScrapeConfigList = { entries: [] }

const entryOf = (value: unknown, jobName: string | undefined): ScrapeConfigEntry => ({ jobName, value, yaml: fragment(value) })

/** `parseScrapeList`'s items, each re-rendered. */
export const parseScrapeConfigList = (text: string | undefined): Either<ParseError, ScrapeConfigList> => {
  const list = parseScrapeList(text)
  return list._tag === 'Left' ? list : right({ entries: list.right.items.map((item) => entryOf(item.value, item.jobName)) })
}

/** Replaces every entry named like the job by one at the first one's position, or appends it. */
const upsert = (entries: readonly ScrapeConfigEntry[], job: ScrapeJob): ScrapeConfigEntry[] => {
  const fresh = entryOf(job, job.job_name)
  const out: ScrapeConfigEntry[] = []
  let placed = false
  for (const entry of entries) {
    if (entry.jobName !== fresh.jobName) out.push(entry)
    else if (!placed) {
      out.push(fresh)
      placed = true
    }
  }
  if (!placed) out.push(fresh)
  return out
}

/** Applies the edits in order; entries not named by an edit are kept as the same objects. */
export const applyEdits = (list: ScrapeConfigList, edits: readonly JobChange[]): ScrapeConfigList => ({
  entries: edits.reduce<readonly ScrapeConfigEntry[]>(
    (entries, edit) => (edit.op === 'upsert' ? upsert(entries, edit.job) : entries.filter((entry) => entry.jobName !== edit.jobName)),
    list.entries,
  ),
})

/** The list's text; an empty list is written as `[]` rather than an empty string. */
export const renderScrapeConfigList = (list: ScrapeConfigList): string =>
  list.entries.length === 0 ? '[]\n' : list.entries.map((entry) => entry.yaml).join('')

export const jobNames = (list: ScrapeConfigList): readonly string[] => list.entries.flatMap((entry) => (entry.jobName === undefined ? [] : [entry.jobName]))

/** The value of the first job with that name, or undefined. */
export const findJob = (list: ScrapeConfigList, jobName: string): unknown => findItem(list.entries, jobName)

/** The items' values (see `parseScrapeList` for what is refused). */
export const loadScrapeConfigItems = (text: string | undefined): Either<ParseError, readonly unknown[]> => {
  const list = parseScrapeList(text)
  return list._tag === 'Left' ? list : right(list.right.items.map((item) => item.value))
}
