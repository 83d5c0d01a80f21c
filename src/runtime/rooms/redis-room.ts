/**
 * The Redis room: one connection (or cluster client) for the event store, the per-service lease
 * and the retention schedule. Opening it fails fast with a clear error when Redis is not there.
 */
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { Config } from '../../config/config.js'
import { createEventStore, type EventStore } from '../../state/store/event-store.js'
import { createRedis } from '../../state/store/redis-client.js'
import type { RedisClient } from '../../state/store/redis-scripts.js'
import { createRetention, RETENTION_BATCH } from '../../state/store/retention.js'
import { createServiceLease, leaseBusyRetryMs, leaseRenewMs, type ServiceLease } from '../../state/store/service-lease.js'
import type { Logger } from '../../support/logger.js'
import { warnOnUnsafeRedisSettings } from './redis-settings-warning.js'
import { startRetentionSchedule } from './retention-schedule.js'

export interface RedisRoom {
  readonly store: EventStore
  /** one replica per service at a time; absent when SERVICE_LEASE_MS is 0 */
  readonly lease?: { readonly lease: ServiceLease; readonly renewMs: number; readonly busyRetryMs: number }
  /** Readiness: a PING */
  ready(): Promise<string>
  close(): void
}

/** Who holds a lease: host and pid for operators, plus randomness so a restarted pid is someone new. */
const replicaId = (): string => `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`

const connectRedis = async (redis: RedisClient, url: string): Promise<void> => {
  try {
    await redis.connect()
    await redis.ping()
  } catch (error) {
    redis.disconnect()
    throw new Error(`Redis is not reachable at ${new URL(url).host}: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
}

export const openRedisRoom = async (
  config: Pick<Config, 'redis' | 'service' | 'retention'>,
  deps: { readonly logger: Logger; readonly nowMs: () => number },
): Promise<RedisRoom> => {
  const { logger } = deps
  const redis = createRedis(config.redis)
  await connectRedis(redis, config.redis.url)
  redis.on('error', (error: Error) => logger.warn({ err: error.message }, 'redis connection problem'))
  await warnOnUnsafeRedisSettings(redis, logger)
  const store = createEventStore(redis, config.redis.keyPrefix)
  const { leaseMs } = config.service
  const policy = { ...config.retention, batch: RETENTION_BATCH }
  const retention = startRetentionSchedule(createRetention(redis, config.redis.keyPrefix, policy), config.retention.intervalMs, deps.nowMs, logger)
  return {
    store,
    ...(leaseMs > 0
      ? {
          lease: {
            lease: createServiceLease(redis, config.redis.keyPrefix, replicaId(), leaseMs),
            renewMs: leaseRenewMs(leaseMs),
            busyRetryMs: leaseBusyRetryMs(leaseMs),
          },
        }
      : {}),
    ready: async () => ((await store.ping()) ? 'PONG' : Promise.reject(new Error('no PONG from Redis'))),
    close: () => {
      retention.stop()
      redis.disconnect()
    },
  }
}
