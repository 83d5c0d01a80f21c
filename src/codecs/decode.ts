/**
 * Decoding at the boundaries: io-ts validation turned into short, readable reasons.
 *
 * Every reason is one line, `path.to.field: expected <type>, got <value>`, because reasons end up
 * in logs, in FAILURE results sent back to SONATA and in dead-letter records, where a reader must
 * see at a glance which field was wrong. The value preview is bounded (80 characters, shallow
 * walk) so a 1 MiB string or a 10 000-level nested object can never blow up a log line or the
 * stack. Decoding never throws: it returns an Either.
 */
import * as t from 'io-ts'
import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js'

export interface DecodeFailure {
  readonly reasons: readonly string[]
}

const PREVIEW_MAX = 80
const PREVIEW_DEPTH = 3

/** Walks at most a few levels and a bounded number of entries, so preview cost is O(1)-ish. */
const render = (value: unknown, depth: number): string => {
  if (value === undefined) return 'undefined'
  if (typeof value === 'string') return JSON.stringify(value.length > PREVIEW_MAX ? value.slice(0, PREVIEW_MAX) : value)
  if (typeof value === 'bigint') return `${value.toString()}n`
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value)
  if (typeof value === 'function' || typeof value === 'symbol') return `<${typeof value}>`
  if (depth >= PREVIEW_DEPTH) return Array.isArray(value) ? '[…]' : '{…}'
  if (Array.isArray(value)) {
    const items = value.slice(0, 8).map((v: unknown) => render(v, depth + 1))
    return `[${items.join(',')}${value.length > 8 ? ',…' : ''}]`
  }
  const entries = Object.entries(value as Record<string, unknown>)
  const shown = entries.slice(0, 8).map(([k, v]) => `${JSON.stringify(k.slice(0, PREVIEW_MAX))}:${render(v, depth + 1)}`)
  return `{${shown.join(',')}${entries.length > 8 ? ',…' : ''}}`
}

/** JSON-like preview of a value, truncated to 80 characters. */
export const preview = (value: unknown): string => {
  let text: string
  try {
    text = render(value, 0)
  } catch {
    text = '<unprintable>'
  }
  return text.length > PREVIEW_MAX ? `${text.slice(0, PREVIEW_MAX - 1)}…` : text
}

interface Tagged {
  readonly _tag?: unknown
  readonly type?: unknown
}
const WRAPPERS: readonly unknown[] = ['ExactType', 'ReadonlyType', 'RefinementType']

/** Union/intersection, also when wrapped (`t.exact(t.intersection(...))` validates with the wrapper's context). */
const isComposite = (type: unknown): boolean => {
  let current = type as Tagged | undefined
  for (let i = 0; i < 8 && current !== undefined; i++) {
    if (current._tag === 'UnionType' || current._tag === 'IntersectionType') return true
    current = WRAPPERS.includes(current._tag) ? (current.type as Tagged | undefined) : undefined
  }
  return false
}

/**
 * The readable path of one error: the context's keys, minus the root entry and minus the member
 * indexes that unions and intersections insert (they say which alternative failed, not where).
 */
const pathOf = (context: t.Context): string => {
  const keys: string[] = []
  context.forEach((entry, i) => {
    if (i === 0) return
    const parent = context[i - 1]
    if (parent !== undefined && isComposite(parent.type)) return
    keys.push(entry.key)
  })
  return keys.length === 0 ? '(root)' : keys.join('.')
}

const reasonOf = (error: t.ValidationError): string => {
  const path = pathOf(error.context)
  if (error.message !== undefined) return `${path}: ${error.message}`
  const last = error.context[error.context.length - 1]
  const expected = last === undefined ? 'valid value' : last.type.name
  return `${path}: expected ${expected}, got ${preview(error.value)}`
}

/** Readable, de-duplicated reasons for a list of io-ts errors (unions report one per member). */
export const reasonsOf = (errors: t.Errors): readonly string[] => [...new Set(errors.map(reasonOf))]

export const decodeWith =
  <A, O>(codec: t.Type<A, O, unknown>) =>
  (input: unknown): Either<DecodeFailure, A> => {
    let result: t.Validation<A>
    try {
      result = codec.decode(input)
    } catch (error) {
      // a codec bug or a pathological input (stack overflow) must not escape as an exception
      return left({ reasons: [`(root): could not be decoded as ${codec.name}: ${String(error)}`.slice(0, 200)] })
    }
    return isLeft(result) ? left({ reasons: reasonsOf(result.left) }) : right(result.right)
  }

export const formatFailure = (f: DecodeFailure): string => f.reasons.join('; ')
