/**
 * A throwaway real Redis Cluster (Debian's redis-server and redis-cli) for integration tests:
 * 3 masters and 3 replicas on loopback, all 16384 slots covered.
 *
 * Every node is a `startRedisServer` child (our own process, killed with the test run, see
 * process-utils), so `kill9` on a master is a real crash its replica must fail over from.
 *
 * Persistence, chosen deliberately (docs/runbook.md, "Redis Cluster"):
 * - `--appendonly yes --appendfsync everysec`: a node restarted on its dir comes back with its
 *   data. In this suite nodes die by SIGKILL of the process, never of the machine, so the page
 *   cache keeps everything written and `always` would only slow every write down.
 * - `--save ''`: no RDB snapshots; the AOF is the one persistence format.
 * - a failover does not read any file: the promoted replica has what replication delivered. That
 *   is why the inbox waits for a replica's acknowledgement (WAIT) before Kafka offsets move.
 * - `--cluster-node-timeout 2000`: a dead master is failed over in seconds, not the default 15 s.
 */
import { freePort, LOOPBACK } from './free-port.js'
import { describeExit, sleep, spawnOwned } from './process-utils.js'
import { startRedisServer, type RedisServerHandle } from './redis-server.js'
import { clusterHealth } from './redis-cluster-health.js'

export interface RedisClusterOptions {
  /** masters; every master gets `replicasPerMaster` replicas. 3 masters is the minimum redis-cli accepts */
  masters?: number
  replicasPerMaster?: number
  nodeTimeoutMs?: number
  /** how long creation may take until every slot is served and every replica in sync; 60 s by default */
  readyTimeoutMs?: number
}

export interface RedisClusterHandle {
  /** seed list in the service's REDIS_CLUSTER_NODES format: `127.0.0.1:P1,127.0.0.1:P2,...` */
  readonly nodesEnv: string
  readonly nodes: readonly RedisServerHandle[]
  /** the node listening on `port` */
  node(port: number): RedisServerHandle
  /** waits until every slot is served by a live master and every live replica is in sync */
  waitHealthy(timeoutMs?: number): Promise<void>
  stop(): Promise<void>
}

const clusterNodeArgs = (busPort: number, nodeTimeoutMs: number): string[] => [
  '--cluster-enabled',
  'yes',
  '--cluster-config-file',
  'nodes.conf',
  '--cluster-node-timeout',
  String(nodeTimeoutMs),
  // an explicit bus port: the default (port + 10000) is often beyond 65535 for a kernel-picked port
  '--cluster-port',
  String(busPort),
  '--appendonly',
  'yes',
  '--appendfsync',
  'everysec',
  // stop() stops all nodes at once: a master must not wait (up to 10 s) for replicas that are going too
  '--shutdown-on-sigterm',
  'now',
]

const startNode = async (nodeTimeoutMs: number): Promise<RedisServerHandle> => startRedisServer({ extraArgs: clusterNodeArgs(await freePort(), nodeTimeoutMs) })

/** `redis-cli --cluster create`: assigns the slots, pairs replicas with masters, waits for agreement. */
const createCluster = async (nodes: readonly RedisServerHandle[], replicasPerMaster: number): Promise<void> => {
  const addresses = nodes.map((n) => `${LOOPBACK}:${n.port}`)
  const cli = spawnOwned('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicasPerMaster), '--cluster-yes'], { logLines: 80 })
  const status = await cli.exited
  if (status.code !== 0) throw new Error(`redis-cli --cluster create failed (${describeExit(status)}):\n${cli.log.text()}`)
}

export const startRedisCluster = async (options: RedisClusterOptions = {}): Promise<RedisClusterHandle> => {
  const masters = options.masters ?? 3
  const replicasPerMaster = options.replicasPerMaster ?? 1
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 2000
  const started = await Promise.allSettled(Array.from({ length: masters * (1 + replicasPerMaster) }, () => startNode(nodeTimeoutMs)))
  const nodes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => n.stop()))
  }
  const waitHealthy = async (timeoutMs = options.readyTimeoutMs ?? 60_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs
    let last = 'not checked yet'
    while (Date.now() < deadline) {
      last = await clusterHealth(nodes.filter((n) => n.pid !== undefined).map((n) => n.port))
      if (last === 'ok') return
      await sleep(200)
    }
    throw new Error(`Redis Cluster not healthy after ${timeoutMs} ms: ${last}`)
  }
  try {
    const failed = started.find((s) => s.status === 'rejected')
    if (failed !== undefined) throw failed.reason
    await createCluster(nodes, replicasPerMaster)
    await waitHealthy()
  } catch (error) {
    await stop()
    throw error
  }
  return {
    nodesEnv: nodes.map((n) => `${LOOPBACK}:${n.port}`).join(','),
    nodes,
    node: (port) => {
      const found = nodes.find((n) => n.port === port)
      if (found === undefined) throw new Error(`no cluster node on port ${port}`)
      return found
    },
    waitHealthy,
    stop,
  }
}
