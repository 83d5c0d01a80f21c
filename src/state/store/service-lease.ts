/**
 * A short per-service lease in Redis, so two replicas do not work on one service at the same
 * time. Correctness does not rest on it (expected-version appends and resourceVersion do that);
 * it avoids doing a step twice, and with it the window in which a slow replica's stale secret
 * edit could land after a newer one. The lease lives in the service's own hash-tag slot.
 */
import { serviceKeys } from './redis-keys.js'
import { callScript, registerScripts, type RedisClient } from './redis-scripts.js'

export interface ServiceLease {
  /** true when this replica now holds the service's lease (or already did) */
  acquire(serviceId: string): Promise<boolean>
  /** extend a held lease; false when it was lost (expired and taken) */
  renew(serviceId: string): Promise<boolean>
  release(serviceId: string): Promise<void>
}

/** A held lease is renewed every third of its time to live, so one late renewal does not lose it. */
export const leaseRenewMs = (ttlMs: number): number => Math.max(50, Math.floor(ttlMs / 3))
/** How soon a lane tries again when another replica holds the service: often enough to take over soon after it ends. */
export const leaseBusyRetryMs = (ttlMs: number): number => Math.max(100, Math.min(1000, Math.floor(ttlMs / 3)))

export const createServiceLease = (redis: RedisClient, prefix: string, owner: string, ttlMs: number): ServiceLease => {
  registerScripts(redis)
  const keyOf = (serviceId: string) => serviceKeys(prefix, serviceId).lease
  const renew = async (serviceId: string) => Number(await callScript(redis, 'renewLease', [keyOf(serviceId)], [owner, ttlMs])) === 1
  return {
    acquire: async (serviceId) => (await redis.set(keyOf(serviceId), owner, 'PX', ttlMs, 'NX')) === 'OK' || renew(serviceId),
    renew,
    release: async (serviceId) => {
      await callScript(redis, 'releaseLease', [keyOf(serviceId)], [owner])
    },
  }
}

/** A held lease as one drain uses it (see heldLease). */
export interface HeldLease {
  acquire(serviceId: string): Promise<boolean>
  /** a round trip that extends the lease (the background renewal) */
  renew(serviceId: string): Promise<boolean>
  /** before a step: true while the lease is ours, asking Redis only when the last confirmation is not recent */
  stillHeld(serviceId: string): Promise<boolean>
  release(serviceId: string): Promise<void>
}

/**
 * One drain's view of its lease. An acquire or renew answered yes, sent at t, keeps the key until
 * at least t + ttl, and no other replica can take it before then. So a step that starts within
 * `freshMs` (a third of the ttl: the renewal period) of such an answer trusts it without asking:
 * a create's five steps then cost no renew round trip, where they cost four. A no clears the trust.
 * The monotonic clock is used: a wall clock set back must not extend the trust. The one case it
 * sees later than before: a Redis failover that lost the key is noticed at the next renewal (at
 * most `freshMs` on), not at the next step; the lease only saves double work (appends are guarded
 * by the stream version, writes by fingerprints and resourceVersions).
 */
export const heldLease = (lease: ServiceLease, freshMs: number | undefined, nowMs: () => number = () => performance.now()): HeldLease => {
  let confirmedAt = Number.NEGATIVE_INFINITY
  const confirming =
    (ask: (serviceId: string) => Promise<boolean>) =>
    async (serviceId: string): Promise<boolean> => {
      const sentAt = nowMs()
      const held = await ask(serviceId)
      confirmedAt = held ? sentAt : Number.NEGATIVE_INFINITY
      return held
    }
  const renew = confirming((serviceId) => lease.renew(serviceId))
  return {
    acquire: confirming((serviceId) => lease.acquire(serviceId)),
    renew,
    stillHeld: (serviceId) => (freshMs !== undefined && nowMs() - confirmedAt < freshMs ? Promise.resolve(true) : renew(serviceId)),
    release: (serviceId) => lease.release(serviceId),
  }
}
