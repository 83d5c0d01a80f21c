/**
 * The per-service lease for the operator commands that change what the service wrote (reconcile,
 * adopt, migrate): the same Redis key the running service claims before it works on a service
 * (state/store/service-lease.ts). While a command holds it the service leaves that service
 * alone (its drain answers `busy` and comes back), so what the command planned cannot be changed
 * under it by the service; requests still land in the log and are carried out after it lets go.
 *
 * A service whose lease is held (the service is working on it) is waited for up to `waitMs`,
 * then reported busy and left alone. Held leases are renewed while the work runs and released at
 * the end, also when the work throws.
 */
import type { ServiceLease } from '../state/store/service-lease.js'

export interface OperatorLeaseOptions {
  /** how long to wait for a lease the service holds before reporting the service busy */
  readonly waitMs: number
  readonly pollMs: number
  readonly renewMs: number
  readonly sleep?: (ms: number) => Promise<void>
}

export interface OperatorLease {
  /** Runs `work` with the leases of those of `serviceIds` it could claim (in their order); the others are `busy`. */
  holding<A>(serviceIds: readonly string[], work: (held: readonly string[], busy: readonly string[]) => Promise<A>): Promise<A>
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export const createOperatorLease = (lease: ServiceLease, options: OperatorLeaseOptions): OperatorLease => {
  const sleep = options.sleep ?? defaultSleep

  const claim = async (serviceIds: readonly string[]): Promise<Set<string>> => {
    const held = new Set<string>()
    const deadline = Date.now() + options.waitMs
    let waiting = [...serviceIds]
    for (;;) {
      const next: string[] = []
      for (const id of waiting)
        if (await lease.acquire(id)) held.add(id)
        else next.push(id)
      waiting = next
      if (waiting.length === 0 || Date.now() >= deadline) return held
      await sleep(Math.min(options.pollMs, Math.max(0, deadline - Date.now())))
    }
  }

  return {
    holding: async (serviceIds, work) => {
      const held = await claim(serviceIds)
      const heldIds = serviceIds.filter((id) => held.has(id))
      const busy = serviceIds.filter((id) => !held.has(id))
      // a lease lost to expiry (a long pause) is noticed by the fingerprint checks at write time
      const renewal = setInterval(() => {
        for (const id of heldIds) void lease.renew(id).catch(() => undefined)
      }, options.renewMs)
      try {
        return await work(heldIds, busy)
      } finally {
        clearInterval(renewal)
        await Promise.all(heldIds.map((id) => lease.release(id).catch(() => undefined)))
      }
    },
  }
}
