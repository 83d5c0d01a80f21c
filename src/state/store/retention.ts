/**
 * The retention policy carried out on Redis (docs/runbook.md "Retention"):
 *
 * - every event is kept for `eventRetentionMs`, then trimmed, but only when the stored snapshot
 *   already includes it: the latest snapshot and every event after it always stay, so loading a
 *   service (snapshot + newer events) is exact after any trim;
 * - an inbox id (the dedupe of redelivered Kafka records) goes with its RequestAccepted event, and
 *   never before `inboxRetentionMs` (which must exceed the Kafka topics' retention: a record Kafka
 *   can still redeliver must still be recognised);
 * - a deleted service with nothing pending keeps its keys for `deletedGraceMs` (at least the inbox
 *   retention), then they are deleted and it leaves the services index.
 *
 * One service per call, each call on ONE hash tag (Redis Cluster), at most `batch` events per
 * script run, so Redis is never blocked for long and the service's own appends interleave.
 * `export` is the way to keep a history longer than this.
 */
import type { Redis, Cluster } from 'ioredis'
import { indexKeys, serviceKeys } from './redis-keys.js'
import { DELETE_SERVICE, FORGET_IN_INDEX, TRIM_SERVICE } from './retention-scripts.js'

/** Events trimmed per script run: small enough that one run never holds Redis for long. */
export const RETENTION_BATCH = 500

export interface RetentionPolicy {
  readonly eventRetentionMs: number
  readonly inboxRetentionMs: number
  readonly deletedGraceMs: number
  /** events trimmed per script run */
  readonly batch: number
}

export type TrimOutcome = { readonly serviceId: string; readonly trimmed: number; readonly deleted: boolean }

export interface Retention {
  /** Apply the policy to one service, in steps of `batch` events. */
  trimService(serviceId: string, nowMs: number): Promise<TrimOutcome>
  /** Every service in the index, one after the other; `pause` between services yields to other work. */
  pass(nowMs: number, pause?: () => Promise<void>): Promise<readonly TrimOutcome[]>
}

const pair = (reply: unknown): [number, number] => (Array.isArray(reply) && reply.length === 2 ? [Number(reply[0]), Number(reply[1])] : [0, 0])

export const createRetention = (redis: Redis | Cluster, prefix: string, policy: RetentionPolicy): Retention => {
  const index = indexKeys(prefix)
  // an event carrying an inbox id is kept as long as the id must be
  const keepEventsMs = Math.max(policy.eventRetentionMs, policy.inboxRetentionMs)
  const keepDeletedMs = Math.max(policy.deletedGraceMs, policy.inboxRetentionMs)

  const trimService = async (serviceId: string, nowMs: number): Promise<TrimOutcome> => {
    const keys = serviceKeys(prefix, serviceId)
    const eventsBefore = new Date(nowMs - keepEventsMs).toISOString()
    const deletedBefore = new Date(nowMs - keepDeletedMs).toISOString()
    let trimmed = 0
    for (;;) {
      const reply = await redis.eval(
        TRIM_SERVICE.lua,
        TRIM_SERVICE.numberOfKeys,
        keys.events,
        keys.version,
        keys.seen,
        keys.snapshot,
        eventsBefore,
        deletedBefore,
        policy.batch,
      )
      const [outcome, count] = pair(reply)
      if (outcome === 2) {
        // The pending mark goes first, while the stream still holds its versions: a request
        // accepted meanwhile has a version above `count` (its mark stays, or is re-added after),
        // and then the keys are kept. Deleting the keys first would let a re-created service start
        // again at version 1, whose fresh mark the version comparison would remove.
        await redis.eval(FORGET_IN_INDEX.lua, 1, index.pending, serviceId, count + 1)
        const deleted =
          Number(await redis.eval(DELETE_SERVICE.lua, DELETE_SERVICE.numberOfKeys, keys.events, keys.version, keys.seen, keys.snapshot, count)) === 1
        if (!deleted) return { serviceId, trimmed, deleted: false }
        // services is scored by the last change (ms): a request accepted after the delete re-added it
        await redis.eval(FORGET_IN_INDEX.lua, 1, index.services, serviceId, nowMs - keepDeletedMs)
        return { serviceId, trimmed, deleted: true }
      }
      trimmed += outcome === 1 ? count : 0
      if (outcome !== 1 || count < policy.batch) return { serviceId, trimmed, deleted: false }
    }
  }

  return {
    trimService,
    pass: async (nowMs, pause) => {
      const ids = await redis.zrange(index.services, '0', '-1')
      const out: TrimOutcome[] = []
      for (const id of ids) {
        out.push(await trimService(id, nowMs))
        await pause?.()
      }
      return out
    },
  }
}
