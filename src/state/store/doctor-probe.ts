/**
 * The doctor's Redis checks, read-only: reachable, version, and the settings the event log
 * depends on. The log is the source of truth and Kafka offsets are committed once a request is in
 * it, so a Redis that forgets writes on restart (no AOF) or evicts keys loses requests for good.
 * CONFIG GET is often disabled on managed Redis: then the settings are a warning, not a failure.
 */
import { Cluster, Redis } from 'ioredis'
import type { Config } from '../../config/config.js'
import { checkFail, checkOk, checkWarning, errorMessage, type DoctorCheck } from '../../support/doctor-check.js'
import { createRedis } from './redis-client.js'

const configValue = async (node: Redis, name: string): Promise<string | undefined> => {
  const reply = (await node.config('GET', name)) as unknown
  return Array.isArray(reply) && typeof reply[1] === 'string' ? reply[1] : undefined
}

/** Pure: the verdict on one node's appendonly / appendfsync / maxmemory-policy. */
export const settingChecks = (where: string, settings: Readonly<Record<string, string | undefined>>): readonly DoctorCheck[] => {
  const { appendonly, appendfsync, 'maxmemory-policy': policy } = settings
  return [
    appendonly === 'yes'
      ? checkOk(`redis.appendonly${where}`, 'yes')
      : checkFail(
          `redis.appendonly${where}`,
          `${appendonly ?? 'unknown'}: a restart loses accepted requests whose Kafka offsets are already committed`,
          'set appendonly yes',
        ),
    appendfsync === 'always' || appendfsync === 'everysec'
      ? checkOk(`redis.appendfsync${where}`, appendfsync)
      : checkWarning(
          `redis.appendfsync${where}`,
          `${appendfsync ?? 'unknown'}: the OS decides when the AOF reaches the disk`,
          'set appendfsync everysec (or always)',
        ),
    policy === 'noeviction'
      ? checkOk(`redis.maxmemory-policy${where}`, 'noeviction')
      : checkFail(
          `redis.maxmemory-policy${where}`,
          `${policy ?? 'unknown'}: Redis may evict event logs, the source of truth`,
          'set maxmemory-policy noeviction',
        ),
  ]
}

const nodeChecks = async (node: Redis, where: string): Promise<readonly DoctorCheck[]> => {
  try {
    const names = ['appendonly', 'appendfsync', 'maxmemory-policy'] as const
    const values = await Promise.all(names.map((name) => configValue(node, name)))
    return settingChecks(where, Object.fromEntries(names.map((name, i) => [name, values[i]])))
  } catch (error) {
    return [
      checkWarning(
        `redis.settings${where}`,
        `not readable (CONFIG GET refused: ${errorMessage(error)})`,
        'check appendonly yes, appendfsync everysec and maxmemory-policy noeviction with your Redis provider',
      ),
    ]
  }
}

const versionOf = async (node: Redis): Promise<string> => /redis_version:(\S+)/.exec(await node.info('server'))?.[1] ?? 'unknown'

/** Pure: every one of the 16384 slots assigned and served. */
export const clusterCheck = (clusterInfo: string): DoctorCheck => {
  const field = (name: string): string | undefined => new RegExp(`${name}:(\\S+)`).exec(clusterInfo)?.[1]
  const state = field('cluster_state')
  const ok = field('cluster_slots_ok')
  return state === 'ok' && ok === '16384'
    ? checkOk('redis.cluster-slots', 'all 16384 slots covered (cluster_state ok)')
    : checkFail(
        'redis.cluster-slots',
        `cluster_state ${state ?? 'unknown'}, ${ok ?? '?'} of 16384 slots ok`,
        'assign the missing slots or bring the failed masters back (redis-cli --cluster check)',
      )
}

const probeConnected = async (client: Redis | Cluster): Promise<readonly DoctorCheck[]> => {
  if (client instanceof Cluster) {
    const masters = client.nodes('master')
    const first = masters[0]
    const version = first === undefined ? 'unknown' : await versionOf(first)
    const perNode = await Promise.all(masters.map((node) => nodeChecks(node, ` (${node.options.host ?? '?'}:${node.options.port ?? '?'})`)))
    return [
      checkOk('redis.reachable', `Redis Cluster ${version}, ${masters.length} master(s)`),
      first === undefined ? clusterCheck('') : clusterCheck(await first.cluster('INFO')),
      ...perNode.flat(),
    ]
  }
  return [checkOk('redis.reachable', `Redis ${await versionOf(client)}`), ...(await nodeChecks(client, ''))]
}

export const probeRedis = async (config: Config['redis']): Promise<readonly DoctorCheck[]> => {
  const client = createRedis(config)
  // the 'error' event carries the cause (ECONNREFUSED, WRONGPASS); connect() only says "closed"
  let cause: unknown
  client.on('error', (error: unknown) => {
    cause ??= error
  })
  try {
    await client.connect()
    return await probeConnected(client)
  } catch (error) {
    return [checkFail('redis.reachable', errorMessage(cause ?? error), 'check REDIS_URL / REDIS_CLUSTER_NODES, the password and the network path')]
  } finally {
    client.disconnect()
  }
}
