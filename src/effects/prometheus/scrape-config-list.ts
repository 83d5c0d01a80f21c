/**
 * The secret's value (Prometheus Operator `additionalScrapeConfigs`) as a list of scrape jobs,
 * edited by `job_name` without disturbing anybody else's jobs.
 *
 * Each entry keeps its rendered YAML fragment (`- ...\n`), and the list renders as the plain
 * concatenation of fragments. An edit therefore re-dumps only the job it touches, which keeps
 * re-rendering a near-1 MiB secret cheap, and jobs we do not own come out byte-for-byte as they
 * were rendered when the list was parsed (same values, same fragment string).
 *
 * Safety: values are loaded with the core schema plus `<<` merge keys (Prometheus' YAML library
 * resolves merges, so we do too); js-yaml 5 knows no executable tags (`!!js/function` is an
 * error). Fragments are dumped with js-yaml's compatibility schema, which quotes any string that
 * a YAML 1.1 reader (Prometheus) could take for a bool/number/null, so no field value can turn
 * into structure or inject a second job.
 */
import { CORE_SCHEMA, FAILSAFE_SCHEMA, YAMLException, dump, loadAll, mergeTag } from 'js-yaml'
import { left, right, type Either } from 'fp-ts/lib/Either.js'
import type { ScrapeJob } from './scrape-job.js'

export interface ScrapeConfigEntry {
  /** `job_name` as Prometheus reads it; undefined when missing or not a scalar. */
  readonly jobName: string | undefined
  readonly value: unknown
  /** This entry rendered as a one-item YAML list (`- ...\n`), cached. */
  readonly yaml: string
}
export interface ScrapeConfigList { readonly entries: readonly ScrapeConfigEntry[] }
export type ParseError = { readonly message: string }
/**
 * `recorded`: the fingerprint of the job the service's event log says it registered under this
 * name (absent: none). It decides when the ownership record does not list the job (see
 * owned-list-edits.ts): the log is the authority about what the service wrote.
 */
export type SecretEdit =
  | { readonly op: 'upsert'; readonly job: ScrapeJob; readonly recorded?: string }
  | { readonly op: 'remove'; readonly jobName: string; readonly recorded?: string }

const LOAD_SCHEMA = CORE_SCHEMA.withTags(mergeTag)
/** Every scalar as its text (no int/float/bool resolution), aliases and merge keys as Prometheus reads them. */
const NAME_SCHEMA = FAILSAFE_SCHEMA.withTags(mergeTag)

/**
 * Upper bound on the nodes of the loaded value once aliases are expanded. Dumping with `noRefs`
 * inlines every alias, so a "billion laughs" secret would otherwise explode in memory; aliases may
 * even be circular. A legitimate list inside a 1 MiB secret stays far below this.
 */
const MAX_NODES = 2_000_000

export const emptyScrapeConfigList: ScrapeConfigList = { entries: [] }

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/**
 * Prometheus decodes `job_name` into a Go string, and its YAML library accepts any scalar there
 * (`job_name: 123` is job "123"), so numbers and booleans count as names too.
 */
export const jobNameOf = (value: unknown): string | undefined => {
  if (!isRecord(value)) return undefined
  const name = value['job_name']
  return typeof name === 'string' || typeof name === 'number' || typeof name === 'boolean' ? String(name) : undefined
}

/**
 * The items' `job_name`s as Prometheus reads them: it decodes `job_name` into a Go string from the
 * scalar's text, so `job_name: 0x1F` and `job_name: 31` are two jobs ("0x1F" and "31"), although a
 * YAML loader resolves both to the int 31. Read again with every scalar kept as text; aligned with
 * `items` (the same text, loaded by `loadScrapeConfigItems`). Falls back to `jobNameOf` for an
 * item the text-only read cannot name.
 */
export const prometheusJobNames = (text: string | undefined, items: readonly unknown[]): readonly (string | undefined)[] => {
  let root: unknown
  try {
    root = text === undefined || text.trim() === '' ? null : (loadAll(text, { schema: NAME_SCHEMA })[0] ?? null)
  } catch {
    root = null
  }
  const asText = Array.isArray(root) && root.length === items.length ? (root as unknown[]) : undefined
  return items.map((item, i) => {
    const name = isRecord(asText?.[i]) ? (asText[i] as Record<string, unknown>)['job_name'] : undefined
    return typeof name === 'string' ? name : jobNameOf(item)
  })
}

/** One job as a one-item YAML list (`- ...\n`), quoted so a YAML 1.1 reader cannot re-type it. */
export const fragment = (value: unknown): string => dump([value], { noRefs: true, lineWidth: -1 })

const entryOf = (value: unknown, jobName: string | undefined): ScrapeConfigEntry => ({ jobName, value, yaml: fragment(value) })

/** Counts nodes depth-first and gives up (returns false) as soon as `budget` is exceeded. */
const withinNodeBudget = (root: unknown, budget: number): boolean => {
  let left = budget
  const stack: unknown[] = [root]
  while (stack.length > 0) {
    const node = stack.pop()
    if (--left < 0) return false
    // A loop, not push(...children): spreading a huge array would overflow the call stack.
    if (node !== null && typeof node === 'object') for (const child of Object.values(node)) stack.push(child)
  }
  return true
}

/** Reason and position only: the YAML snippet js-yaml adds could quote other jobs' credentials. */
const describeYamlError = (error: unknown): string => {
  if (error instanceof YAMLException) {
    const at = error.mark ? ` at line ${error.mark.line + 1}, column ${error.mark.column + 1}` : ''
    return `secret value is not valid YAML: ${error.reason}${at}`
  }
  return `secret value is not valid YAML: ${error instanceof Error ? error.name : 'unknown error'}`
}

const typeName = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'a list' : isRecord(value) ? 'a mapping' : `a ${typeof value}`

/**
 * Loads the secret's value as plain values. Missing, empty, comment-only or `null` → empty list.
 * Invalid YAML, several documents, a top-level value that is not a list, or an item that is not a
 * mapping → Left with a message that names the problem but never quotes the content.
 */
export const loadScrapeConfigItems = (text: string | undefined): Either<ParseError, readonly unknown[]> => {
  if (text === undefined || text.trim() === '') return right([])
  let documents: unknown[]
  try {
    documents = loadAll(text, { schema: LOAD_SCHEMA })
  } catch (error) {
    return left({ message: describeYamlError(error) })
  }
  if (documents.length > 1) return left({ message: `secret value must be one YAML document, found ${documents.length}` })
  const root = documents[0] ?? null
  if (root === null) return right([])
  if (!Array.isArray(root)) return left({ message: `secret value must be a YAML list of scrape configs, found ${typeName(root)}` })
  if (!withinNodeBudget(root, MAX_NODES)) return left({ message: `secret value expands to more than ${MAX_NODES} YAML nodes (aliases?)` })
  const items = root as unknown[]
  const badIndex = items.findIndex((item) => !isRecord(item))
  if (badIndex >= 0) {
    return left({ message: `scrape config #${badIndex + 1} must be a mapping, found ${typeName(items[badIndex])}` })
  }
  return right(items)
}

/** Parses the secret's value into entries (see `loadScrapeConfigItems` for what is refused). */
export const parseScrapeConfigList = (text: string | undefined): Either<ParseError, ScrapeConfigList> => {
  const items = loadScrapeConfigItems(text)
  if (items._tag === 'Left') return items
  try {
    const names = prometheusJobNames(text, items.right)
    return right({ entries: items.right.map((value, i) => entryOf(value, names[i])) })
  } catch (error) {
    return left({ message: `secret value cannot be re-rendered: ${error instanceof Error ? error.message : 'unknown error'}` })
  }
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

const remove = (entries: readonly ScrapeConfigEntry[], jobName: string): ScrapeConfigEntry[] =>
  entries.filter((entry) => entry.jobName !== jobName)

/**
 * Applies the edits in order. Entries not named by an edit are kept as the same objects (same
 * value, same cached fragment). After it, every name touched by an edit occurs at most once,
 * which also repairs duplicates that Prometheus would reject.
 */
export const applyEdits = (list: ScrapeConfigList, edits: readonly SecretEdit[]): ScrapeConfigList => ({
  entries: edits.reduce<readonly ScrapeConfigEntry[]>(
    (entries, edit) => (edit.op === 'upsert' ? upsert(entries, edit.job) : remove(entries, edit.jobName)),
    list.entries,
  ),
})

/** The secret's new value. An empty list is written as `[]` rather than an empty string. */
export const renderScrapeConfigList = (list: ScrapeConfigList): string =>
  list.entries.length === 0 ? '[]\n' : list.entries.map((entry) => entry.yaml).join('')

export const jobNames = (list: ScrapeConfigList): readonly string[] =>
  list.entries.flatMap((entry) => (entry.jobName === undefined ? [] : [entry.jobName]))

/** The value of the first job with that name, or undefined. */
export const findJob = (list: ScrapeConfigList, jobName: string): unknown =>
  list.entries.find((entry) => entry.jobName === jobName)?.value
