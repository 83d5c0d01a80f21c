/**
 * The secret's text cut into segments, so the service can rewrite its own list items and leave
 * every other byte where it was.
 *
 * Why not load + dump: a round trip re-types scalars other people wrote (`0123` → `123`,
 * `0x1F` → `31`), drops their comments, re-indents and re-quotes, and Prometheus reads what is
 * written. So the text is cut at the top-level list items of its CST (the `yaml` package's
 * tokens carry source offsets), the same tokens the list's values are composed from
 * (`parseScrapeList`), once per resourceVersion. Concatenating the
 * segments gives back the input exactly; an edit replaces, inserts or drops whole `item`
 * segments, and everything between items (comments, blank lines, `---`) is a `text` segment that
 * is never touched.
 *
 * An item segment runs from the start of the line of its `- ` to the end of its last content
 * line (comment-only lines after it stay outside: they may introduce the next item).
 */
import { CST } from 'yaml'
import { left, right, type Either } from 'fp-ts/lib/Either.js'

export type Segment =
  | { readonly kind: 'text'; readonly text: string }
  /** `[]`, `null` or `~`: the list is empty; the first appended item takes its place */
  | { readonly kind: 'empty'; readonly text: string }
  /** `value`: the item as the list's document holds it (aliases and merge keys resolved) */
  | { readonly kind: 'item'; readonly text: string; readonly jobName: string | undefined; readonly value: unknown }

/** A list item as composed from the same parse: its `job_name` as Prometheus reads it, and its value. */
export interface ListItem {
  readonly jobName: string | undefined
  readonly value: unknown
}

export interface SplicedList {
  readonly segments: readonly Segment[]
  /** column of the top-level `- `, so appended items line up with the existing ones */
  readonly indent: number
}

const NULL_SCALARS = new Set(['null', 'Null', 'NULL', '~'])

const lineStartOf = (text: string, offset: number): number => {
  let at = offset
  while (at > 0 && (text[at - 1] === ' ' || text[at - 1] === '\t')) at -= 1
  return at === 0 || text[at - 1] === '\n' ? at : offset
}

/** Length of `source` without trailing blank and comment-only lines (never cuts its first line). */
const contentLength = (source: string): number => {
  let end = source.trimEnd().length
  for (;;) {
    const lineStart = source.lastIndexOf('\n', end - 1) + 1
    if (lineStart === 0 || !source.slice(lineStart, end).trimStart().startsWith('#')) return end
    end = source.slice(0, lineStart).trimEnd().length
  }
}

/** Offset just past the line break that ends the line holding `offset - 1`, if it is there. */
const pastLineBreak = (text: string, offset: number): number => (text.startsWith('\r\n', offset) ? offset + 2 : text[offset] === '\n' ? offset + 1 : offset)

/** CST items without a `- ` are comments between items: the composer makes no item of them, and neither does the cut. */
const cutBlockSequence = (text: string, seq: CST.BlockSequence, items: readonly ListItem[]): Either<string, SplicedList> => {
  const segments: Segment[] = []
  let done = 0
  let index = 0
  for (const item of seq.items) {
    const dash = item.start.find((token) => token.type === 'seq-item-ind')
    if (dash === undefined) continue
    index += 1
    if (item.value === undefined) return left(`list item #${index} has no value`)
    const start = Math.max(done, lineStartOf(text, dash.offset))
    const end = pastLineBreak(text, item.value.offset + contentLength(CST.stringify(item.value)))
    if (start > done) segments.push({ kind: 'text', text: text.slice(done, start) })
    segments.push({ kind: 'item', text: text.slice(start, end), jobName: items[index - 1]?.jobName, value: items[index - 1]?.value })
    done = end
  }
  if (done < text.length) segments.push({ kind: 'text', text: text.slice(done) })
  return right({ segments, indent: seq.indent })
}

/** `[]` or a null scalar standing for the whole (empty) list. */
const cutEmptyMarker = (text: string, token: CST.Token): SplicedList => {
  const source = CST.stringify(token)
  const start = lineStartOf(text, token.offset)
  const end = pastLineBreak(text, token.offset + source.trimEnd().length)
  const segments: Segment[] = [
    { kind: 'text', text: text.slice(0, start) },
    { kind: 'empty', text: text.slice(start, end) },
    { kind: 'text', text: text.slice(end) },
  ]
  return { segments: segments.filter((s) => s.text !== ''), indent: 0 }
}

const isEmptyMarker = (token: CST.Token): boolean =>
  (token.type === 'flow-collection' && token.start.source === '[' && token.items.length === 0) || (token.type === 'scalar' && NULL_SCALARS.has(token.source))

/**
 * Cuts `text` into segments at the items of its (one, valid) document's CST; `items` are the
 * list's items as composed from those tokens, in order (`parseScrapeList` calls this with both from one
 * parse). Left: a non-empty flow-style list `[...]`, which cannot be edited in place.
 */
export const cutScrapeList = (text: string, document: CST.Document | undefined, items: readonly ListItem[]): Either<string, SplicedList> => {
  const value = document?.value
  if (value === undefined) return right({ segments: text === '' ? [] : [{ kind: 'text', text }], indent: 0 })
  if (value.type === 'block-seq') return cutBlockSequence(text, value, items)
  if (isEmptyMarker(value)) return right(cutEmptyMarker(text, value))
  if (value.type === 'flow-collection') return left('the list is written in flow style ([...]); only a block list (- ...) can be edited in place')
  return left(`the top-level value is a ${value.type}, not a list`)
}

export const renderSplicedList = (list: SplicedList): string => list.segments.map((segment) => segment.text).join('')

/** Each segment's UTF-8 bytes, made once: segments are immutable and shared by every version of the list. */
const segmentBytes = new WeakMap<Segment, Buffer>()

const bytesOf = (segment: Segment): Buffer => {
  let bytes = segmentBytes.get(segment)
  if (bytes === undefined) {
    bytes = Buffer.from(segment.text, 'utf8')
    segmentBytes.set(segment, bytes)
  }
  return bytes
}

/**
 * The list's text as UTF-8 bytes, what the PUT body carries. Why not encode `renderSplicedList`:
 * joining a thousand strings into 1 MiB costs milliseconds, copying the bytes of the segments an
 * edit did not touch costs a tenth of that.
 */
export const renderSplicedBytes = (list: SplicedList): Buffer => Buffer.concat(list.segments.map(bytesOf))
