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
