/**
 * Opens Redis for one operator command and always closes it, so the process can exit by itself.
 * Uses the service's own client factory (single node or Cluster) and event store.
 */
import { createRedis } from '../state/store/redis-client.js'
import { createEventStore, type EventStore } from '../state/store/event-store.js'
import type { RedisClient } from '../state/store/redis-scripts.js'
import type { LogAccess } from '../state/store/operator-log.js'
import type { RedisOpsConfig } from '../config/ops-config.js'

export interface StoreContext extends LogAccess {
  readonly store: EventStore
}

export const withStore = async <A>(config: RedisOpsConfig, use: (ctx: StoreContext) => Promise<A>): Promise<A> => {
  const redis: RedisClient = createRedis(config.redis)
  // without a listener ioredis reports connection errors as unhandled 'error' events
  redis.on('error', () => undefined)
  try {
    await redis.connect()
  } catch (error) {
    redis.disconnect()
    throw new Error(`Redis is not reachable: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
  try {
    return await use({ redis, prefix: config.redis.keyPrefix, store: createEventStore(redis, config.redis.keyPrefix) })
  } finally {
    await redis.quit().catch(() => redis.disconnect())
  }
}

/** The services a command works on: the one named by --service, or every one in the services index. */
export const selectServices = async (store: EventStore, only: string | undefined): Promise<readonly string[]> =>
  only !== undefined ? [only] : (await store.listServices()).map((s) => s.serviceId)
