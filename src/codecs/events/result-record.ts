import * as t from 'io-ts'
import { isRecord } from './event-head.js'

/** A result message exactly as it is (re-)published: recorded BEFORE sending so a re-send is identical. */
export const ResultRecord = t.type({ topic: t.string, key: t.string, value: t.string }, 'ResultRecord')
export type ResultRecord = t.TypeOf<typeof ResultRecord>

/** `u` already is a decoded ResultRecord (see hasEventHead). */
export const isDecodedResultRecord = (u: unknown): u is ResultRecord =>
  isRecord(u) && typeof u['topic'] === 'string' && typeof u['key'] === 'string' && typeof u['value'] === 'string'
