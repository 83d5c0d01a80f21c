/**
 * The lease an operator command claims services with: the service's own lease key and TTL
 * (SERVICE_LEASE_MS), under an owner that names the command, host and process.
 */
import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { LeaseOpsConfig } from '../config/ops-config.js'
import { createOperatorLease, type OperatorLease } from '../ops/operator-lease.js'
import { createServiceLease } from '../state/store/service-lease.js'
import type { StoreContext } from './with-store.js'

const DEFAULT_LEASE_MS = 15_000

export const operatorLeaseOf = (ctx: StoreContext, config: LeaseOpsConfig, command: string): OperatorLease => {
  // SERVICE_LEASE_MS=0: the service claims no lease; the command still marks what it works on
  const ttlMs = config.leaseMs > 0 ? config.leaseMs : DEFAULT_LEASE_MS
  const owner = `telemetry-client ${command} ${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
  return createOperatorLease(createServiceLease(ctx.redis, ctx.prefix, owner, ttlMs), {
    waitMs: ttlMs,
    pollMs: 100,
    renewMs: Math.max(50, Math.floor(ttlMs / 3)),
  })
}
