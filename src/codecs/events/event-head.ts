/**
 * What every event starts with: its schema version (`v`), the originating CloudEvent id
 * (`requestId`), when it happened (`at`, ISO-8601) and its `type`.
 *
 * The schema version is written here and nowhere else: codecs take `EventMeta`, constructors take
 * `eventHead`. Key order matters because the log stores `JSON.stringify` of the event and replay
 * must give the same bytes: every event is `v, requestId, at, type`, then its own fields.
 */
import * as t from 'io-ts'

export const EVENT_SCHEMA_VERSION = 1 as const

/** The codec props every event shares (spread into each event's `t.type`). */
export const EventMeta = { v: t.literal(EVENT_SCHEMA_VERSION), requestId: t.string, at: t.string }

/** What a constructor takes: the event without the parts it fills in itself. */
export type EventFields<E> = Omit<E, 'v' | 'type'>

export const eventHead = <T extends string>(type: T, fields: { readonly requestId: string; readonly at: string }) => ({
  v: EVENT_SCHEMA_VERSION,
  requestId: fields.requestId,
  at: fields.at,
  type,
})

/** A plain object, exactly as io-ts' `UnknownRecord` sees one (what every event codec checks first). */
export const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> => Object.prototype.toString.call(u) === '[object Object]'

/**
 * The fast path of decoding (replay decodes every event of every log): an event's `isDecoded…`
 * guard says that `u` already is what its codec would decode it to, so the codec is not run.
 * Guards are strict: whenever one says no, the codec decides (and names the field that is wrong).
 * This one checks the head: a plain object of this `type` at the current schema version.
 */
export const hasEventHead = (u: unknown, type: string): u is Readonly<Record<string, unknown>> =>
  isRecord(u) && u['v'] === EVENT_SCHEMA_VERSION && u['type'] === type && typeof u['requestId'] === 'string' && typeof u['at'] === 'string'

/** No own keys but `keys` (`t.exact` would strip any other key, so such a value is not decoded yet). */
export const hasOnlyKeys = (u: object, keys: readonly string[]): boolean => Object.getOwnPropertyNames(u).every((key) => keys.includes(key))
