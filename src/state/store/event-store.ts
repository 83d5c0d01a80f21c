/**
 * The event store: the only code that talks to Redis. One stream per service (see redis-keys.ts),
 * an inbox that dedupes on the CloudEvent id, appends guarded by the expected version, snapshots
 * stored with the version they include.
 */
import * as E from 'fp-ts/lib/Either.js'
import type { RequestAccepted, RequestRedelivered, ServiceEvent } from '../../codecs/events.js'
import { decodeEvent, encodeEvent } from '../event-codec.js'
import { fold } from '../evolve.js'
import { entryIdOf, indexKeys, serviceKeys, versionOfEntryId } from './redis-keys.js'
import { callScript, queueScript, registerScripts, type RedisClient } from './redis-scripts.js'
import { awaitConnectedReplicas, execPerNode, type PipelinedCall, type ReplicaAcks } from './node-pipelines.js'
import { decodeSnapshot } from '../snapshot-codec.js'
import { initialServiceState, type ServiceState } from '../service-state.js'
import type { TraceContext } from '../../support/tracing/trace-context.js'

export interface InboxEntry {
  readonly serviceId: string
  readonly accepted: RequestAccepted
  readonly redelivered: RequestRedelivered
}
export type InboxOutcome = { readonly serviceId: string; readonly outcome: 'accepted' | 'redelivered'; readonly version: number }
export type AppendResult = { readonly ok: true; readonly version: number } | { readonly ok: false; readonly actualVersion: number }
export interface StoredEvent {
  readonly version: number
  readonly event: ServiceEvent
}

/** A stored event that does not decode: the log is damaged; the service is left alone, never guessed at. */
export class CorruptEventError extends Error {
  constructor(
    readonly serviceId: string,
    readonly version: number,
    reason: string,
  ) {
    super(`event ${version} of service ${serviceId} cannot be decoded: ${reason}`)
  }
}

const PAGE = 1000

export interface EventStore {
  /** Whether each request id is in its service's inbox (accepted before and not yet forgotten by retention). */
  seen(requests: readonly { readonly serviceId: string; readonly requestId: string }[]): Promise<readonly boolean[]>
  /** Record requests in their services' inboxes, pipelined; each outcome says accepted or redelivered. */
  accept(entries: readonly InboxEntry[], nowMs: number): Promise<readonly InboxOutcome[]>
  /** Snapshot + the events after it. */
  load(serviceId: string): Promise<ServiceState>
  /**
   * Append if the stream is still at `expectedVersion`; stores `snapshot` (the fold including the
   * events). `trace`: the context the append belongs to (the step it records), for its span (traced-store.ts).
   */
  append(
    serviceId: string,
    expectedVersion: number,
    events: readonly ServiceEvent[],
    snapshot: ServiceState | undefined,
    nowMs: number,
    trace?: TraceContext,
  ): Promise<AppendResult>
  readEvents(serviceId: string, afterVersion?: number): Promise<readonly StoredEvent[]>
  readSnapshotText(serviceId: string): Promise<string | null>
  writeSnapshot(state: ServiceState): Promise<void>
  listServices(): Promise<ReadonlyArray<{ serviceId: string; lastChangeMs: number }>>
  pendingServices(): Promise<readonly string[]>
  /** Clear the work-pending mark unless a request newer than `version` arrived. */
  clearPending(serviceId: string, version: number): Promise<void>
  ping(): Promise<boolean>
}

export const snapshotText = (state: ServiceState): string => JSON.stringify(state)

const asPair = (reply: unknown): [string | number, number] => {
  if (!Array.isArray(reply) || reply.length !== 2) throw new Error(`unexpected script reply ${JSON.stringify(reply)}`)
  return [reply[0] as string | number, Number(reply[1])]
}

/**
 * On a Redis Cluster two writes wait for a replica to hold them (see node-pipelines.ts): the
 * inbox's, before Kafka may commit the offset, and a RequestCompleted, before its result is sent
 * (a failover must not make the service carry a request out again and answer it differently).
 * A single Redis relies on its AOF instead.
 */
export const CLUSTER_REPLICA_ACKS: ReplicaAcks = { replicas: 1, timeoutMs: 2000 }

export interface EventStoreOptions {
  /** replica acknowledgements for those writes; CLUSTER_REPLICA_ACKS on a Cluster by default */
  readonly replicaAcks?: ReplicaAcks
}

export const createEventStore = (redis: RedisClient, prefix: string, options: EventStoreOptions = {}): EventStore => {
  registerScripts(redis)
  const replicaAcks = options.replicaAcks ?? (redis.isCluster ? CLUSTER_REPLICA_ACKS : undefined)
  const index = indexKeys(prefix)

  const readEvents = async (serviceId: string, afterVersion = 0): Promise<readonly StoredEvent[]> => {
    const keys = serviceKeys(prefix, serviceId)
    const out: StoredEvent[] = []
    let from = afterVersion + 1
    for (;;) {
      const page = await redis.xrange(keys.events, entryIdOf(from), '+', 'COUNT', PAGE)
      for (const [id, fields] of page) {
        const version = versionOfEntryId(id)
        const decoded = decodeEvent(fields[1] ?? '')
        if (E.isLeft(decoded)) throw new CorruptEventError(serviceId, version, decoded.left)
        out.push({ version, event: decoded.right })
      }
      if (page.length < PAGE) return out
      from = out[out.length - 1]!.version + 1
    }
  }

  const readSnapshotText = (serviceId: string) => redis.get(serviceKeys(prefix, serviceId).snapshot)

  return {
    seen: async (requests) => {
      if (requests.length === 0) return []
      const calls = requests.map(({ serviceId, requestId }): PipelinedCall => {
        const { seen } = serviceKeys(prefix, serviceId)
        return { key: seen, queue: (p) => void p.hexists(seen, requestId) }
      })
      const replies = await execPerNode(redis, calls)
      return replies.map(([error, reply]) => {
        if (error) throw error
        return Number(reply) === 1
      })
    },
    accept: async (entries, nowMs) => {
      if (entries.length === 0) return []
      const appends = entries.map(({ serviceId, accepted, redelivered }): PipelinedCall => {
        const keys = serviceKeys(prefix, serviceId)
        return {
          key: keys.events,
          queue: (p) =>
            queueScript(p, 'acceptRequest', [keys.events, keys.version, keys.seen], [accepted.requestId, encodeEvent(accepted), encodeEvent(redelivered)]),
        }
      })
      const replies = await execPerNode(redis, appends, replicaAcks)
      const outcomes = entries.map(({ serviceId }, i): InboxOutcome => {
        const [error, reply] = replies[i] ?? [new Error('no reply')]
        if (error) throw error
        const [outcome, version] = asPair(reply)
        return { serviceId, outcome: outcome === 'accepted' ? 'accepted' : 'redelivered', version }
      })
      // indexes after the append: a crash in between leaves the Kafka offset uncommitted, so the
      // request is delivered again and lands here once more as a redelivery. The two index keys
      // are in two slots (two masters, maybe), hence one call each rather than one pipeline.
      const indexes = outcomes.flatMap(({ serviceId, version }): PipelinedCall[] => [
        { key: index.services, queue: (p) => void p.zadd(index.services, nowMs, serviceId) },
        { key: index.pending, queue: (p) => void p.zadd(index.pending, 'GT', version, serviceId) },
      ])
      for (const [error] of await execPerNode(redis, indexes, replicaAcks)) if (error) throw error
      return outcomes
    },

    load: async (serviceId) => {
      const text = await readSnapshotText(serviceId)
      const snapshot = text === null ? undefined : decodeSnapshot(text, serviceId)
      const base = snapshot ?? initialServiceState(serviceId)
      const events = await readEvents(serviceId, base.version)
      return fold(
        base,
        events.map((e) => e.event),
      )
    },

    append: async (serviceId, expectedVersion, events, snapshot, nowMs) => {
      const keys = serviceKeys(prefix, serviceId)
      const reply = await callScript(
        redis,
        'appendExpected',
        [keys.events, keys.version, keys.snapshot],
        [expectedVersion, snapshot === undefined ? '' : snapshotText(snapshot), ...events.map(encodeEvent)],
      )
      const [ok, version] = asPair(reply)
      if (Number(ok) !== 1) return { ok: false, actualVersion: version }
      if (events.some((e) => e.type === 'RequestCompleted')) await awaitConnectedReplicas(redis, keys.events, replicaAcks)
      await redis.zadd(index.services, nowMs, serviceId)
      return { ok: true, version }
    },

    readEvents,
    readSnapshotText,
    writeSnapshot: async (state) => {
      await redis.set(serviceKeys(prefix, state.serviceId).snapshot, snapshotText(state))
    },

    listServices: async () => {
      const flat = await redis.zrange(index.services, '0', '-1', 'WITHSCORES')
      const out: Array<{ serviceId: string; lastChangeMs: number }> = []
      for (let i = 0; i + 1 < flat.length; i += 2) out.push({ serviceId: flat[i]!, lastChangeMs: Number(flat[i + 1]) })
      return out
    },
    pendingServices: () => redis.zrange(index.pending, '0', '-1'),
    clearPending: async (serviceId, version) => {
      await callScript(redis, 'clearPending', [index.pending], [serviceId, version])
    },
    ping: async () => {
      try {
        return (await redis.ping()) === 'PONG'
      } catch {
        return false
      }
    },
  }
}
