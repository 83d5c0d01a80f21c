/**
 * The one Redis Cluster of a test run (3 masters, 3 replicas; dev/redis-cluster.ts), started
 * lazily by the first spec that asks for it, so runs without a cluster spec pay nothing, and
 * stopped by the global teardown (test/support/global-fixtures.ts). Its nodes die with the test
 * process in any case (process-utils).
 *
 * `TEST_REDIS_CLUSTER_NODES` (REDIS_CLUSTER_NODES format) reuses a running cluster instead.
 * Specs isolate by key prefix, as on the single server.
 */
import { Cluster } from 'ioredis'
import { startRedisCluster, type RedisClusterHandle } from '../../dev/redis-cluster.js'

let starting: Promise<RedisClusterHandle> | undefined

/** Starts the run's cluster on first use; every later call gets the same one. */
export const sharedRedisCluster = (): Promise<RedisClusterHandle> => {
  starting ??= startRedisCluster().catch((error: unknown) => {
    starting = undefined // a later spec may try again
    throw error
  })
  return starting
}

/** The seed list for REDIS_CLUSTER_NODES: an external cluster's or the shared one's. */
export const testClusterNodes = async (): Promise<string> => process.env['TEST_REDIS_CLUSTER_NODES'] ?? (await sharedRedisCluster()).nodesEnv

/** Called by the global teardown: stops the cluster if this run started one. */
export const stopSharedRedisCluster = async (): Promise<void> => {
  const started = starting
  starting = undefined
  if (started !== undefined) await (await started.catch(() => undefined))?.stop()
}

const seeds = (nodesEnv: string) =>
  nodesEnv.split(',').map((address) => {
    const [host = '', port = ''] = address.split(':')
    return { host, port: Number(port) }
  })

/** An ioredis Cluster client on the test cluster (no key prefix: the code under test adds its own). */
export const testClusterClient = async (): Promise<Cluster> => {
  const cluster = new Cluster(seeds(await testClusterNodes()), { redisOptions: { maxRetriesPerRequest: 3 } })
  cluster.on('error', () => undefined)
  return cluster
}

/** Deletes every key starting with `prefix` on every master (SCAN sees one node only). */
export const flushClusterPrefix = async (cluster: Cluster, prefix: string): Promise<number> => {
  if (prefix === '') throw new Error('flushClusterPrefix refuses to delete every key')
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`
  let deleted = 0
  for (const node of cluster.nodes('master')) {
    let cursor = '0'
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500)
      cursor = next
      // one DEL per key: the keys of one SCAN page lie in many slots
      for (const key of keys) deleted += await node.del(key)
    } while (cursor !== '0')
  }
  return deleted
}
