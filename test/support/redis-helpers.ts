/**
 * Redis for specs: a client on the shared server from the global fixture, isolated by a unique
 * key prefix per call so spec files (and tests inside them) never see each other's keys.
 *
 * ioredis applies `keyPrefix` to every key argument (including Lua KEYS and stream names), but
 * not to SCAN's MATCH pattern nor to the keys SCAN returns, which `flushPrefix` accounts for.
 */
import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { createEventStore, type EventStore } from '../../src/state/store/event-store.js'

/** URL of the shared test Redis; fails loudly when the global fixture did not run. */
export const testRedisUrl = (): string => {
  const url = process.env['TEST_REDIS_URL']
  if (url === undefined || url === '') {
    throw new Error('TEST_REDIS_URL is not set: run specs through mocha so test/support/global-fixtures.ts starts Redis')
  }
  return url
}

/** A prefix no other caller gets, e.g. `test:3f2a9c1e:` */
export const uniquePrefix = (): string => `test:${randomUUID().slice(0, 8)}:`

/** ioredis client on the shared test Redis whose keys all live under a fresh unique prefix. */
export const testRedis = (prefix: string = uniquePrefix()): Redis =>
  new Redis(testRedisUrl(), { keyPrefix: prefix, maxRetriesPerRequest: 3, lazyConnect: false })

/** Glob-escapes a prefix for SCAN MATCH (`*?[]\` are special). */
const globEscape = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&')

/** Deletes every key under the client's prefix (or `prefix`); returns how many were deleted. */
export const flushPrefix = async (client: Redis, prefix: string = client.options.keyPrefix ?? ''): Promise<number> => {
  if (prefix === '') throw new Error('flushPrefix refuses to delete every key: the client has no keyPrefix')
  const own = client.options.keyPrefix ?? ''
  if (!prefix.startsWith(own)) throw new Error(`flushPrefix: '${prefix}' is outside the client's keyPrefix '${own}'`)
  let cursor = '0'
  let deleted = 0
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${globEscape(prefix)}*`, 'COUNT', 500)
    cursor = next
    // SCAN returns full keys; strip the client's own prefix because DEL adds it back.
    const names = keys.map((key) => key.slice(own.length))
    if (names.length > 0) deleted += await client.del(...names)
  } while (cursor !== '0')
  return deleted
}

export interface EventStoreContext {
  readonly redis: Redis
  readonly prefix: string
  readonly store: EventStore
}

/** Mocha hooks for a spec on the real event store: one connection for the file; a fresh prefix and store per test, its keys flushed after it. */
export const useEventStore = (): EventStoreContext => {
  let redis: Redis | undefined
  let prefix = ''
  let store: EventStore | undefined
  before(() => {
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 3 })
  })
  beforeEach(() => {
    prefix = uniquePrefix()
    store = createEventStore(connected(redis), prefix)
  })
  afterEach(async () => {
    await flushPrefix(connected(redis), prefix)
  })
  after(async () => {
    await redis?.quit()
  })
  return {
    get redis() {
      return connected(redis)
    },
    get prefix() {
      return prefix
    },
    get store() {
      return connected(store)
    },
  }
}

const connected = <T>(value: T | undefined): T => {
  if (value === undefined) throw new Error('useEventStore: used before its hooks ran')
  return value
}
