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
 * commit the offset of a request that no longer exists anywhere. With `replicaAcks` each group's
 * pipeline ends with `WAIT replicaAcks timeout` on the same connection, and fewer acknowledgements
 * fail the call, so the caller retries and the offset stays where it is.
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
  constructor(readonly acknowledged: number, readonly wanted: number) {
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

const runPipeline = async (pipeline: ChainableCommander, count: number, acks: ReplicaAcks | undefined): Promise<PipelineReply[]> => {
  if (acks !== undefined) pipeline.wait(acks.replicas, acks.timeoutMs)
  const replies = (await pipeline.exec()) ?? []
  if (acks !== undefined) {
    const [error, acknowledged] = replies[count] ?? [new Error('no reply to WAIT')]
    if (error) throw error
    if (Number(acknowledged) < acks.replicas) throw new NotReplicatedError(Number(acknowledged), acks.replicas)
  }
  return Array.from({ length: count }, (_, i): PipelineReply => replies[i] ?? [new Error('no reply'), null])
}

/** Runs `calls` pipelined (per node on a Cluster); replies come back in the order of `calls`. */
export const execPerNode = async (redis: RedisClient, calls: readonly PipelinedCall[], acks?: ReplicaAcks): Promise<PipelineReply[]> => {
  if (calls.length === 0) return []
  if (!isCluster(redis)) {
    const pipeline = redis.pipeline()
    for (const call of calls) call.queue(pipeline)
    return runPipeline(pipeline, calls.length, undefined)
  }
  const out: PipelineReply[] = new Array<PipelineReply>(calls.length)
  await Promise.all(
    groupsByNode(redis, calls).map(async (indexes) => {
      const pipeline = redis.pipeline()
      for (const i of indexes) calls[i]!.queue(pipeline)
      const replies = await runPipeline(pipeline, indexes.length, acks)
      indexes.forEach((callIndex, i) => (out[callIndex] = replies[i]!))
    }),
  )
  return out
}
