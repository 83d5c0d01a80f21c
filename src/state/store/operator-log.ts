/**
 * Direct reads and writes of the event log for the operator commands, on the key layout of
 * src/state/store/redis-keys.ts. The EventStore reads a whole log at once; replay and export read it in
 * pages instead, so a long log neither sits in memory twice nor hides its progress.
 */
import * as E from 'fp-ts/lib/Either.js'
import { CorruptEventError, type StoredEvent } from './event-store.js'
import { decodeEvent } from '../event-codec.js'
import { encodeEvent } from '../event-codec.js'
import { snapshotText } from './event-store.js'
import { entryIdOf, indexKeys, serviceKeys, versionOfEntryId } from './redis-keys.js'
import type { RedisClient } from './redis-scripts.js'
import type { ServiceState } from '../service-state.js'

export interface LogAccess {
  readonly redis: RedisClient
  readonly prefix: string
}

export const DEFAULT_PAGE = 1000

/** The version counter of a service's stream (0 when it has none). */
export const logVersion = async ({ redis, prefix }: LogAccess, serviceId: string): Promise<number> =>
  Number((await redis.get(serviceKeys(prefix, serviceId).version)) ?? '0')

/** The services index's last change of a service (ms), null when it is not in the index. */
export const lastChangeOf = async ({ redis, prefix }: LogAccess, serviceId: string): Promise<number | null> => {
  const score = await redis.zscore(indexKeys(prefix).services, serviceId)
  return score === null ? null : Number(score)
}

/** Calls `onPage` with each page of decoded events in version order; a damaged entry throws CorruptEventError. */
export const readLogPages = async (
  { redis, prefix }: LogAccess,
  serviceId: string,
  onPage: (events: readonly StoredEvent[]) => void | Promise<void>,
  pageSize = DEFAULT_PAGE,
): Promise<number> => {
  const key = serviceKeys(prefix, serviceId).events
  let from = 1
  let count = 0
  for (;;) {
    const page = await redis.xrange(key, entryIdOf(from), '+', 'COUNT', pageSize)
    const events: StoredEvent[] = []
    for (const [id, fields] of page) {
      const version = versionOfEntryId(id)
      const decoded = decodeEvent(fields[1] ?? '')
      if (E.isLeft(decoded)) throw new CorruptEventError(serviceId, version, decoded.left)
      events.push({ version, event: decoded.right })
    }
    if (events.length > 0) await onPage(events)
    count += events.length
    const last = events[events.length - 1]
    if (page.length < pageSize || last === undefined) return count
    from = last.version + 1
  }
}

/**
 * Store a snapshot only if the stream is still at the snapshot's version. A live service may
 * append while an operator replays; overwriting its newer snapshot with an older one would be
 * harmless for `load` (it folds the newer events) but would make the next replay report drift.
 */
const SET_SNAPSHOT_IF_AT = `
if tonumber(redis.call('GET', KEYS[1]) or '0') ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
return 1
`

export const writeSnapshotIfAt = async ({ redis, prefix }: LogAccess, state: ServiceState, text: string): Promise<boolean> => {
  const keys = serviceKeys(prefix, state.serviceId)
  return Number(await redis.eval(SET_SNAPSHOT_IF_AT, 2, keys.version, keys.snapshot, state.version, text)) === 1
}

/** The highest version a service's keys claim (counter or stream length): 0 when it has no log. */
export const existingVersion = async ({ redis, prefix }: LogAccess, serviceId: string): Promise<number> => {
  const keys = serviceKeys(prefix, serviceId)
  const [version, length] = await Promise.all([redis.get(keys.version), redis.xlen(keys.events)])
  return Math.max(Number(version ?? '0'), length)
}

const CHUNK = 1000

/**
 * Writes an imported log: stream with entry ids `0-<version>` (a trimmed log keeps its first
 * version), inbox dedupe hash, snapshot, and the indexes. `state` is the fold of the log (from
 * its base snapshot when it was trimmed); the version counter is set last.
 */
export const writeImportedLog = async (log: LogAccess, state: ServiceState, events: readonly StoredEvent[], lastChangeMs: number): Promise<void> => {
  const { redis, prefix } = log
  const { serviceId } = state
  const keys = serviceKeys(prefix, serviceId)
  const index = indexKeys(prefix)
  // with --force these are the replaced service's keys; otherwise at most leftovers without a log
  await redis.del(keys.events, keys.version, keys.seen, keys.snapshot)
  for (let start = 0; start < events.length; start += CHUNK) {
    const batch = redis.multi()
    for (const { version, event } of events.slice(start, start + CHUNK)) batch.xadd(keys.events, entryIdOf(version), 'e', encodeEvent(event))
    await batch.exec()
  }
  const seen = events.flatMap(({ version, event }) => (event.type === 'RequestAccepted' ? [event.requestId, String(version)] : []))
  // the version counter last: until it is set, nothing treats the stream as a log to append to
  const last = redis.multi()
  if (seen.length > 0) last.hset(keys.seen, ...seen)
  last.set(keys.snapshot, snapshotText(state))
  last.set(keys.version, state.version)
  await last.exec()
  await redis.zadd(index.services, lastChangeMs, serviceId)
  if (state.pending.length > 0 || state.outstanding.length > 0) await redis.zadd(index.pending, 'GT', state.version, serviceId)
  else await redis.zrem(index.pending, serviceId)
}

/** The stored snapshot's text, or null when the service has none. */
export const storedSnapshotText = ({ redis, prefix }: LogAccess, serviceId: string): Promise<string | null> =>
  redis.get(serviceKeys(prefix, serviceId).snapshot)
