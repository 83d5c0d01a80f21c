/**
 * The secret's text cut into segments, so the service can rewrite its own list items and leave
 * every other byte where it was.
 *
 * Why not load + dump: a round trip re-types scalars other people wrote (`0123` → `123`,
 * `0x1F` → `31`), drops their comments, re-indents and re-quotes, and Prometheus reads what is
 * written. So the text is lexed once per resourceVersion with the `yaml` package's CST parser
 * (its tokens carry source offsets) and cut at the top-level list items. Concatenating the
 * segments gives back the input exactly; an edit replaces, inserts or drops whole `item`
 * segments, and everything between items (comments, blank lines, `---`) is a `text` segment that
 * is never touched.
 *
 * An item segment runs from the start of the line of its `- ` to the end of its last content
 * line (comment-only lines after it stay outside: they may introduce the next item).
 */
import { CST, Parser } from 'yaml'
import { left, right, type Either } from 'fp-ts/lib/Either.js'

export type Segment =
  | { readonly kind: 'text'; readonly text: string }
  /** `[]`, `null` or `~`: the list is empty; the first appended item takes its place */
  | { readonly kind: 'empty'; readonly text: string }
  | { readonly kind: 'item'; readonly text: string; readonly jobName: string | undefined }

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
const pastLineBreak = (text: string, offset: number): number =>
  text.startsWith('\r\n', offset) ? offset + 2 : text[offset] === '\n' ? offset + 1 : offset

const cutBlockSequence = (text: string, seq: CST.BlockSequence, names: readonly (string | undefined)[]): Either<string, SplicedList> => {
  if (seq.items.length !== names.length) return left(`the YAML lexer found ${seq.items.length} list items, the loader ${names.length}`)
  const segments: Segment[] = []
  let done = 0
  for (const [index, item] of seq.items.entries()) {
    const dash = item.start.find((token) => token.type === 'seq-item-ind')
    if (dash === undefined || item.value === undefined) return left(`list item #${index + 1} has no value`)
    const start = Math.max(done, lineStartOf(text, dash.offset))
    const end = pastLineBreak(text, item.value.offset + contentLength(CST.stringify(item.value)))
    if (start > done) segments.push({ kind: 'text', text: text.slice(done, start) })
    segments.push({ kind: 'item', text: text.slice(start, end), jobName: names[index] })
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
  (token.type === 'flow-collection' && token.start.source === '[' && token.items.length === 0) ||
  (token.type === 'scalar' && NULL_SCALARS.has(token.source))

/**
 * Cuts `text` into segments. `names` are the items' `job_name`s as the YAML loader read them (the
 * loader resolves aliases and merge keys the way Prometheus does); their count must match.
 * Left: the text is not something we can splice (several documents, a lexer error, a non-empty
 * flow-style list `[...]`).
 */
export const cutScrapeList = (text: string, names: readonly (string | undefined)[]): Either<string, SplicedList> => {
  const tokens = [...new Parser().parse(text)]
  if (tokens.some((token) => token.type === 'error')) return left('the YAML lexer reports an error')
  const documents = tokens.filter((token): token is CST.Document => token.type === 'document')
  if (documents.length > 1) return left(`expected one YAML document, found ${documents.length}`)
  const value = documents[0]?.value
  if (value === undefined) return right({ segments: text === '' ? [] : [{ kind: 'text', text }], indent: 0 })
  if (value.type === 'block-seq') return cutBlockSequence(text, value, names)
  if (isEmptyMarker(value)) return right(cutEmptyMarker(text, value))
  if (value.type === 'flow-collection') return left('the list is written in flow style ([...]); only a block list (- ...) can be edited in place')
  return left(`the top-level value is a ${value.type}, not a list`)
}

export const renderSplicedList = (list: SplicedList): string => list.segments.map((segment) => segment.text).join('')
