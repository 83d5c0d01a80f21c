/**
 * The secret's value (Prometheus Operator `additionalScrapeConfigs`) as a list of scrape jobs:
 * one parse with the `yaml` package gives both the items' values and names and the text spans the
 * writer splices at (`scrape-list-spans`), so what is edited is what was read.
 *
 * The text is lexed once into the CST (tokens with source offsets) and the document is composed
 * from those same tokens: the values (core schema plus `<<` merge keys, as Prometheus' YAML library
 * resolves them) and the spans cannot disagree about where an item is.
 *
 * Safety: unknown tags (`!!js/function`, `!!python/...`) and duplicate keys are refused, alias
 * expansion is bounded (`MAX_NODES`), and error messages name the problem and its position but
 * never quote the content (other jobs' credentials live there). The service's own jobs are written
 * as YAML 1.1 (`fragment`), which quotes any string a YAML 1.1 reader (Prometheus) could take for a
 * bool/number/null, so no field value can turn into structure or inject a second job.
 */
import { Composer, LineCounter, Parser, isAlias, isMap, isScalar, isSeq, type CST, type Document, type YAMLMap } from 'yaml'
import { left, right, type Either } from 'fp-ts/lib/Either.js'
import type { ScrapeJob } from './scrape-job.js'
import { yamlText } from './yaml-text.js'
import { cutScrapeList, type ListItem, type SplicedList } from './scrape-list-spans.js'

/** One item of the list: `job_name` as Prometheus reads it (undefined when missing or not a scalar) and its value. */
export type ScrapeItem = ListItem
/**
 * The parsed list. `layout`: the text cut at the items, for splicing; Left when the list is valid
 * but cannot be edited in place (a non-empty flow-style list `[...]`): readers still read it, the
 * writer refuses it.
 */
export interface ScrapeList {
  readonly items: readonly ScrapeItem[]
  readonly layout: Either<string, SplicedList>
}
export type ParseError = { readonly message: string }
/**
 * `recorded`: the fingerprint of the job the service's event log says it registered under this
 * name (absent: none). It decides when the ownership record does not list the job (see
 * owned-list-edits.ts): the log is the authority about what the service wrote.
 */
export type JobChange =
  | { readonly op: 'upsert'; readonly job: ScrapeJob; readonly recorded?: string }
  | { readonly op: 'remove'; readonly jobName: string; readonly recorded?: string }

/**
 * Upper bound on the nodes of the loaded value once aliases are expanded (aliases may even be
 * circular): a "billion laughs" secret is refused instead of being walked. A legitimate list
 * inside a 1 MiB secret stays far below this.
 */
const MAX_NODES = 2_000_000

const COMPOSE_OPTIONS = { version: '1.2', schema: 'core', merge: true, uniqueKeys: true, prettyErrors: false } as const

const isRecord = (value: unknown): value is Readonly<Record<string, unknown>> => value !== null && typeof value === 'object' && !Array.isArray(value)

/**
 * A loaded value's `job_name`: Prometheus decodes it into a Go string and its YAML library accepts
 * any scalar there (`job_name: 123` is job "123"), so numbers and booleans count as names too.
 */
export const jobNameOf = (value: unknown): string | undefined => {
  if (!isRecord(value)) return undefined
  const name = value['job_name']
  return typeof name === 'string' || typeof name === 'number' || typeof name === 'boolean' ? String(name) : undefined
}

/**
 * An item's `job_name` as Prometheus reads it: from the scalar's text, so `job_name: 0x1F` and
 * `job_name: 31` are two jobs ("0x1F" and "31") although both resolve to the int 31. Follows
 * aliases and `<<` merge keys (an own key wins over a merged one, an earlier merge over a later).
 */
const itemName = (node: unknown, doc: Document, depth = 0): string | undefined => {
  const target = isAlias(node) ? node.resolve(doc) : node
  if (!isMap(target) || depth > 16) return undefined
  const map: YAMLMap = target
  const own = map.items.find((pair) => isScalar(pair.key) && pair.key.value === 'job_name')
  if (own !== undefined) {
    const value = isAlias(own.value) ? own.value.resolve(doc) : own.value
    if (!isScalar(value) || (value.value === null && value.source === '')) return undefined
    return typeof value.source === 'string' ? value.source : String(value.value)
  }
  for (const pair of map.items) {
    if (!isScalar(pair.key) || pair.key.value !== '<<') continue
    const sources = isSeq(pair.value) ? pair.value.items : [pair.value]
    for (const source of sources) {
      const name = itemName(source, doc, depth + 1)
      if (name !== undefined) return name
    }
  }
  return undefined
}

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

const typeName = (node: unknown, doc: Document): string => {
  const target = isAlias(node) ? node.resolve(doc) : node
  if (isMap(target)) return 'a mapping'
  if (isSeq(target)) return 'a list'
  const value: unknown = isScalar(target) ? target.value : target
  return value === null || value === undefined ? 'null' : `a ${typeof value}`
}

const isNullScalar = (node: unknown): boolean => node === null || (isScalar(node) && node.value === null)

/** Reason (the parser's error code) and position only: the source line the parser could quote may hold credentials. */
const yamlError = (error: { readonly code: string; readonly pos: readonly [number, number] }, lines: LineCounter): ParseError => {
  const { line, col } = lines.linePos(error.pos[0])
  return { message: `secret value is not valid YAML: ${error.code.toLowerCase().replace(/_/g, ' ')} at line ${line}, column ${col}` }
}

/**
 * Parses the secret's value. Missing, empty, comment-only or `null`/`~`/`[]` → empty list.
 * Invalid YAML (unknown tags and duplicate keys included), several documents, a top-level value
 * that is not a list, an item that is not a mapping, or an alias explosion → Left with a message
 * that names the problem but never quotes the content.
 */
export const parseScrapeList = (text: string | undefined): Either<ParseError, ScrapeList> => {
  const source = text ?? ''
  const lines = new LineCounter()
  const tokens = [...new Parser(lines.addNewLine).parse(source)]
  const documents = [...new Composer(COMPOSE_OPTIONS).compose(tokens, true)]
  const doc = documents[0]
  if (doc === undefined) return right({ items: [], layout: right({ segments: [], indent: 0 }) })
  const problem = doc.errors[0] ?? doc.warnings[0]
  if (problem !== undefined) return left(yamlError(problem, lines))
  if (documents.length > 1) return left({ message: `secret value must be one YAML document, found ${documents.length}` })
  const root: unknown = doc.contents
  const cst = tokens.find((token): token is CST.Document => token.type === 'document')
  if (isNullScalar(root) || (isSeq(root) && root.items.length === 0)) return right({ items: [], layout: cutScrapeList(source, cst, []) })
  if (!isSeq(root)) return left({ message: `secret value must be a YAML list of scrape configs, found ${typeName(root, doc)}` })
  const badIndex = root.items.findIndex((item) => !isMap(isAlias(item) ? item.resolve(doc) : item))
  if (badIndex >= 0) return left({ message: `scrape config #${badIndex + 1} must be a mapping, found ${typeName(root.items[badIndex], doc)}` })
  let values: unknown
  try {
    values = doc.toJS({ maxAliasCount: -1 })
  } catch (error) {
    return left({ message: `secret value cannot be loaded: ${error instanceof Error ? error.name : 'unknown error'}` })
  }
  if (!Array.isArray(values) || !withinNodeBudget(values, MAX_NODES))
    return left({ message: `secret value expands to more than ${MAX_NODES} YAML nodes (aliases?)` })
  const loaded: readonly unknown[] = values
  const items = root.items.map((node: unknown, i): ScrapeItem => ({ jobName: itemName(node, doc) ?? jobNameOf(loaded[i]), value: loaded[i] }))
  return right({ items, layout: cutScrapeList(source, cst, items) })
}

/** The value of the first item with that name, or undefined. */
export const findItem = (items: readonly ScrapeItem[], jobName: string): unknown => items.find((item) => item.jobName === jobName)?.value

/** One job as a one-item YAML list (`- ...\n`), quoted so a YAML 1.1 reader cannot re-type it. */
export const fragment = (value: unknown): string => yamlText([value])
