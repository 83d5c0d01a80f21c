import { Cluster, Redis } from 'ioredis'
import type { Config } from '../../config/config.js'
import type { RedisClient } from './redis-scripts.js'

/**
 * A single Redis or, when REDIS_CLUSTER_NODES is set, a Redis Cluster client. Commands fail fast
 * while disconnected (no offline queue) so the inbox notices an outage instead of piling up.
 */
export const createRedis = (config: Config['redis']): RedisClient => {
  const common = { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, enableAutoPipelining: true } as const
  if (config.clusterNodes !== undefined && config.clusterNodes.length > 0) {
    const url = new URL(config.url)
    return new Cluster(
      config.clusterNodes.map(({ host, port }) => ({ host, port })),
      {
        lazyConnect: true,
        enableOfflineQueue: false,
        redisOptions: {
          ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
          ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
          ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
        },
      },
    )
  }
  return new Redis(config.url, common)
}
