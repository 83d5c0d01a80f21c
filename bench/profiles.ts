/**
 * The latency profiles of the issue, applied to the simulators through their fault injectors:
 * Kubernetes GET 5 ms / PUT 20 ms (a ScrapeConfig's apply counts as the PUT), Grafana 50 ms per
 * call; the heavy-tail profile answers 1% of ALL calls (either simulator) after 1 s instead. Rules
 * are consulted in order, so the tail rule comes first and the regular latency applies to the
 * other 99%.
 */
import type { DevStack } from '../dev/dev-stack.js'
import type { FaultInjector } from '../dev/faults.js'

export interface LatencyProfile {
  readonly name: 'base' | 'heavy-tail'
  readonly describe: string
  readonly tail?: { readonly probability: number; readonly latencyMs: number }
}

export const BASE_PROFILE: LatencyProfile = { name: 'base', describe: 'Kubernetes GET 5 ms / PUT 20 ms, Grafana 50 ms per call' }
export const HEAVY_TAIL_PROFILE: LatencyProfile = {
  name: 'heavy-tail',
  describe: 'as base, but 1% of all calls take 1 s',
  tail: { probability: 0.01, latencyMs: 1000 },
}

const withTail = (faults: FaultInjector, profile: LatencyProfile): void => {
  faults.clear()
  if (profile.tail !== undefined) faults.add({ kind: '*', latencyMs: profile.tail.latencyMs, probability: profile.tail.probability })
}

export const applyProfile = (stack: Pick<DevStack, 'kube' | 'grafana'>, profile: LatencyProfile): void => {
  withTail(stack.kube.faults, profile)
  stack.kube.faults.add({ kind: 'secret.get', latencyMs: 5 })
  stack.kube.faults.add({ kind: 'secret.put', latencyMs: 20 })
  // the same for a ScrapeConfig (B9): a read is a GET, a write is the server-side apply (a PATCH)
  stack.kube.faults.add({ kind: 'scrapeconfig.get', latencyMs: 5 })
  stack.kube.faults.add({ kind: 'scrapeconfig.patch', latencyMs: 20 })
  withTail(stack.grafana.faults, profile)
  stack.grafana.faults.add({ kind: '*', latencyMs: 50 })
}
