/**
 * Fault injection shared by the Kubernetes and Grafana simulators.
 *
 * Tests switch faults on per request kind (e.g. `secret.put`, `dashboard.upsert`) so a scenario
 * can break one call while the rest of the API behaves. Rules are consulted in insertion order;
 * the first matching rule with budget left decides the fault for that request.
 */

export type FaultEffect =
  /** answer with this HTTP status (5xx, 429, 409, ...); `retryAfterSeconds` adds Retry-After */
  | { readonly type: 'status'; readonly status: number; readonly retryAfterSeconds?: number }
  /** never answer (the client's timeout must fire); the socket is destroyed on stop() */
  | { readonly type: 'hang' }
  /** close the socket without a response */
  | { readonly type: 'reset' }

export interface FaultRule {
  /** request kind this rule applies to, or '*' for every kind */
  readonly kind: string
  /** added before the request is handled (or before the fault is answered) */
  readonly latencyMs?: number
  /** what to do instead of handling the request; latency-only when absent */
  readonly effect?: FaultEffect
  /** how many matching requests this rule applies to; unlimited when absent */
  readonly times?: number
  /** chance in [0, 1] that a matching request is hit; 1 when absent */
  readonly probability?: number
}

export interface FaultDecision {
  readonly latencyMs: number
  readonly effect?: FaultEffect
}

export interface FaultInjector {
  add(rule: FaultRule): void
  clear(): void
  /** consulted by the simulator once per request */
  decide(kind: string): FaultDecision
  /** how many requests of each kind were hit by a fault (for assertions and reports) */
  readonly injected: ReadonlyMap<string, number>
}

/**
 * A simulator meets a request's fault decision: waits its latency, then hangs (no answer), drops
 * the connection, or answers the injected status with `answerStatus`. True when the request was
 * answered (or left hanging) by the fault; false when it is to be served.
 */
export const meetFault = async (
  decision: FaultDecision,
  socket: { destroy(): void },
  wait: (ms: number) => Promise<unknown>,
  answerStatus: (effect: Extract<FaultEffect, { type: 'status' }>) => void,
): Promise<boolean> => {
  if (decision.latencyMs > 0) await wait(decision.latencyMs)
  const effect = decision.effect
  if (effect === undefined) return false
  if (effect.type === 'reset') socket.destroy()
  if (effect.type === 'status') answerStatus(effect)
  return true
}

export const createFaultInjector = (random: () => number = Math.random): FaultInjector => {
  const rules: Array<{ rule: FaultRule; left: number }> = []
  const injected = new Map<string, number>()
  return {
    add: (rule) => {
      rules.push({ rule, left: rule.times ?? Number.POSITIVE_INFINITY })
    },
    clear: () => {
      rules.length = 0
    },
    decide: (kind) => {
      const hit = rules.find((r) => (r.rule.kind === kind || r.rule.kind === '*') && r.left > 0 && random() < (r.rule.probability ?? 1))
      if (hit === undefined) return { latencyMs: 0 }
      hit.left -= 1
      if (hit.rule.effect !== undefined) injected.set(kind, (injected.get(kind) ?? 0) + 1)
      return hit.rule.effect === undefined ? { latencyMs: hit.rule.latencyMs ?? 0 } : { latencyMs: hit.rule.latencyMs ?? 0, effect: hit.rule.effect }
    },
    injected,
  }
}
