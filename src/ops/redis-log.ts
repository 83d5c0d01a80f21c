/**
 * Direct reads and writes of the event log for the operator commands, on the key layout of
 * src/state/redis-keys.ts. The EventStore reads a whole log at once; replay and export read it in
 * pages instead, so a long log neither sits in memory twice nor hides its progress.
 */
import * as E from 'fp-ts/lib/Either.js'
import { CorruptEventError, type StoredEvent } from '../state/event-store.js'
import { decodeEvent } from '../state/event-codec.js'
import { entryIdOf, serviceKeys, versionOfEntryId } from '../state/redis-keys.js'
import type { RedisClient } from '../state/redis-scripts.js'
import type { ServiceState } from '../state/service-state.js'

export interface LogAccess {
  readonly redis: RedisClient
  readonly prefix: string
}

export const DEFAULT_PAGE = 1000

/** The version counter of a service's stream (0 when it has none). */
export const logVersion = async ({ redis, prefix }: LogAccess, serviceId: string): Promise<number> =>
  Number((await redis.get(serviceKeys(prefix, serviceId).version)) ?? '0')

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
