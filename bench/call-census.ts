/**
 * What one create costs in calls: every request the simulators see, by kind (`secret.put`,
 * `dashboard.upsert`, ...), and how many of them were the profile's slow tail. Counted where the
 * simulators consult their fault injector (once per request), so hedged copies count as calls.
 */
import type { DevStack } from '../dev/dev-stack.js'
import { fmt } from './stats.js'

export interface KindCount {
  calls: number
  slow: number
}

export interface CallCensus {
  readonly byKind: ReadonlyMap<string, Readonly<KindCount>>
  total(): number
  /** "dashboard.upsert 2.00 (1 s: 9), secret.put 0.05 (1 s: 0), ..." per create */
  perCreate(creates: number): string
}

export const takeCensus = (stack: Pick<DevStack, 'kube' | 'grafana'>, slowMs: number): CallCensus => {
  const byKind = new Map<string, KindCount>()
  for (const [system, faults] of [
    ['kube', stack.kube.faults],
    ['grafana', stack.grafana.faults],
  ] as const) {
    const decide = faults.decide.bind(faults)
    faults.decide = (kind) => {
      const decision = decide(kind)
      const key = system === 'grafana' && !kind.includes('.') ? `grafana ${kind}` : kind
      const count = byKind.get(key) ?? { calls: 0, slow: 0 }
      count.calls += 1
      if (decision.latencyMs >= slowMs) count.slow += 1
      byKind.set(key, count)
      return decision
    }
  }
  return {
    byKind,
    total: () => [...byKind.values()].reduce((sum, c) => sum + c.calls, 0),
    perCreate: (creates) =>
      [...byKind]
        .sort((a, b) => b[1].calls - a[1].calls)
        .map(([kind, c]) => `${kind} ${fmt(c.calls / creates, 2)} (${c.slow} slow)`)
        .join(', '),
  }
}
