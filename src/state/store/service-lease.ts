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
