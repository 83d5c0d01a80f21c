/**
 * Pipelines that a Redis Cluster accepts, and the replica acknowledgement the inbox needs there.
 *
 * ioredis refuses a Cluster pipeline whose keys are served by different masters, and a batch of
 * requests for many services spans every master. So on a Cluster the calls are grouped by the
 * nodes that serve their key's slot, one pipeline per group, all sent at once; a single Redis
 * takes the whole batch in one pipeline as before.
 *
 * Replication in a Cluster is asynchronous: a master that acknowledged a write and dies before
 * its replica received it loses the write on failover, and the inbox would then have let Kafka
 * commit the offset of a request that no longer exists anywhere. With `acks` each group's
 * pipeline is followed by a WAIT for that master's replicas on the same connection, and fewer
 * acknowledgements fail the call, so the caller retries and the offset stays where it is.
 */
import type { ChainableCommander, Cluster } from 'ioredis'
import { keySlot } from './key-slot.js'
import type { RedisClient } from './redis-scripts.js'

export interface PipelinedCall {
  /** one key of the call (all keys of one call share a slot) */
  readonly key: string
  readonly queue: (pipeline: ChainableCommander) => void
}

export interface ReplicaAcks {
  readonly replicas: number
  readonly timeoutMs: number
}

export type PipelineReply = readonly [Error | null, unknown]

/** A write acknowledged by fewer replicas than asked for; it is on the master, but not yet safe. */
export class NotReplicatedError extends Error {
  constructor(
    readonly acknowledged: number,
    readonly wanted: number,
  ) {
    super(`Redis write acknowledged by ${acknowledged} of ${wanted} replica(s) in time; retry`)
    this.name = 'NotReplicatedError'
  }
}

const isCluster = (redis: RedisClient): redis is Cluster => redis.isCluster

/** Indexes of `calls` grouped by the node set that serves their slot (ioredis' own grouping rule). */
const groupsByNode = (cluster: Cluster, calls: readonly PipelinedCall[]): number[][] => {
  const groups = new Map<string, number[]>()
  calls.forEach(({ key }, i) => {
    const slot = keySlot(key)
    // before the slot map is known, fall back to one group per slot (always accepted)
    const group = cluster.slots[slot]?.join(',') ?? `slot:${slot}`
    const members = groups.get(group)
    if (members === undefined) groups.set(group, [i])
    else members.push(i)
  })
  return [...groups.values()]
}

/** How many replicas a ROLE reply says are connected to this master (0 for anything else). */
const connectedReplicas = (role: unknown): number => (Array.isArray(role) && role[0] === 'master' && Array.isArray(role[2]) ? role[2].length : 0)

/**
 * Waits for `wanted` of the replicas connected to the node serving `routeKey`. WAIT counts the
 * writes sent earlier on the same connection, and ioredis keeps one connection per node; reading
 * `routeKey` routes the keyless WAIT to that node.
 */
const awaitReplicas = async (cluster: Cluster, routeKey: string, wanted: number, timeoutMs: number): Promise<void> => {
  const replies = (await cluster.pipeline().exists(routeKey).wait(wanted, timeoutMs).exec()) ?? []
  const [error, acknowledged] = replies[1] ?? [new Error('no reply to WAIT')]
  if (error) throw error
  if (Number(acknowledged) < wanted) throw new NotReplicatedError(Number(acknowledged), wanted)
}

/**
 * One node's share of a batch on a Cluster. With `acks`, ROLE rides along and, if the master has
 * replicas connected, a WAIT for up to `acks.replicas` of them follows. A master without any
 * replica (one that took over from a dead master whose node has not returned yet) is not waited
 * for: no failover could happen from it anyway, and waiting would stop the inbox until an
 * operator brings a replica back; its writes are as safe as its AOF (docs/runbook.md).
 */
const runNodePipeline = async (cluster: Cluster, calls: readonly PipelinedCall[], acks: ReplicaAcks | undefined): Promise<PipelineReply[]> => {
  const pipeline = cluster.pipeline()
  for (const call of calls) call.queue(pipeline)
  if (acks !== undefined) pipeline.role()
  const replies = (await pipeline.exec()) ?? []
  if (acks !== undefined) {
    const [error, role] = replies[calls.length] ?? [new Error('no reply to ROLE')]
    if (error) throw error
    const wanted = Math.min(acks.replicas, connectedReplicas(role))
    if (wanted > 0) await awaitReplicas(cluster, calls[0]!.key, wanted, acks.timeoutMs)
  }
  return calls.map((_, i): PipelineReply => replies[i] ?? [new Error('no reply'), null])
}

/**
 * After one write on a Cluster: WAIT for up to `acks.replicas` of the replicas connected to the
 * master serving `key` (nothing to do on a single Redis or without `acks`).
 */
export const awaitConnectedReplicas = async (redis: RedisClient, key: string, acks: ReplicaAcks | undefined): Promise<void> => {
  if (acks === undefined || !isCluster(redis)) return
  const replies = (await redis.pipeline().exists(key).role().exec()) ?? []
  const [error, role] = replies[1] ?? [new Error('no reply to ROLE')]
  if (error) throw error
  const wanted = Math.min(acks.replicas, connectedReplicas(role))
  if (wanted > 0) await awaitReplicas(redis, key, wanted, acks.timeoutMs)
}

/** Runs `calls` pipelined (per node on a Cluster); replies come back in the order of `calls`. */
export const execPerNode = async (redis: RedisClient, calls: readonly PipelinedCall[], acks?: ReplicaAcks): Promise<PipelineReply[]> => {
  if (calls.length === 0) return []
  if (!isCluster(redis)) {
    const pipeline = redis.pipeline()
    for (const call of calls) call.queue(pipeline)
    const replies = (await pipeline.exec()) ?? []
    return calls.map((_, i): PipelineReply => replies[i] ?? [new Error('no reply'), null])
  }
  const out: PipelineReply[] = new Array<PipelineReply>(calls.length)
  await Promise.all(
    groupsByNode(redis, calls).map(async (indexes) => {
      const replies = await runNodePipeline(
        redis,
        indexes.map((i) => calls[i]!),
        acks,
      )
      indexes.forEach((callIndex, i) => (out[callIndex] = replies[i]!))
    }),
  )
  return out
}
