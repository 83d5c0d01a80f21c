/**
 * Is a local Redis Cluster ready for work? Asked of every live node on its own, because after
 * `--cluster create` or a failover the nodes learn the new layout by gossip, one at a time: a
 * client routed by a node that has not caught up yet would be told the cluster is down.
 */
import { Redis } from 'ioredis'
import { LOOPBACK } from './free-port.js'

export interface ClusterNodeView {
  readonly port: number
  readonly role: 'master' | 'replica'
  /** the hash slots the node serves, as written in CLUSTER NODES (e.g. `0-5460`) */
  readonly slots: readonly string[]
}

const withNode = async <A>(port: number, use: (redis: Redis) => Promise<A>): Promise<A> => {
  const redis = new Redis({ host: LOOPBACK, port, lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null })
  redis.on('error', () => undefined) // reported through the rejected command instead
  try {
    await redis.connect()
    return await use(redis)
  } finally {
    redis.disconnect()
  }
}

const field = (info: string, name: string): string | undefined => new RegExp(`^${name}:(.*)\\r?$`, 'm').exec(info)?.[1]?.trim()

/** 'ok', or what the first node that is not ready says about itself. */
const nodeHealth = async (port: number): Promise<string> => {
  try {
    return await withNode(port, async (redis) => {
      const info = String(await redis.call('CLUSTER', 'INFO'))
      const state = field(info, 'cluster_state')
      const slotsOk = field(info, 'cluster_slots_ok')
      if (state !== 'ok' || slotsOk !== '16384') return `node ${port}: cluster_state ${state}, slots ok ${slotsOk}`
      const replication = await redis.info('replication')
      if (field(replication, 'role') === 'slave' && field(replication, 'master_link_status') !== 'up') {
        return `replica ${port}: master link ${field(replication, 'master_link_status')}`
      }
      return 'ok'
    })
  } catch (error) {
    return `node ${port}: ${error instanceof Error ? error.message : String(error)}`
  }
}

export const clusterHealth = async (ports: readonly number[]): Promise<string> => {
  const answers = await Promise.all(ports.map(nodeHealth))
  return answers.find((a) => a !== 'ok') ?? 'ok'
}

/** The cluster's layout as `port` sees it (CLUSTER NODES), without nodes it marks as failed. */
export const clusterNodes = (port: number): Promise<readonly ClusterNodeView[]> =>
  withNode(port, async (redis) => {
    const text = String(await redis.call('CLUSTER', 'NODES'))
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => line.split(' '))
      .filter(([, , flags = '']) => !flags.includes('fail'))
      .map(([, address = '', flags = '', , , , , , ...slots]): ClusterNodeView => ({
        port: Number(/:(\d+)@/.exec(address)?.[1]),
        role: flags.includes('master') ? 'master' : 'replica',
        slots,
      }))
  })
