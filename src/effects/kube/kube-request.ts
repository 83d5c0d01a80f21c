/**
 * What every Kubernetes call of both scrape backends shares: where the kubeconfig comes from, the
 * per-call timeout (client-node has none of its own), the CLIENT span's `traceparent` and the
 * hedged GET.
 */
import { KubeConfig, Observable, type ConfigurationOptions, type ObservableMiddleware } from '@kubernetes/client-node'
import type { Hedger } from '../hedged-read.js'
import { classifyKubeError } from './kube-error.js'

export const DEFAULT_TIMEOUT_MS = 10_000

/** A kubeconfig file when given (local runs, tests), else the pod's service account. */
export const kubeConfigFrom = (kubeconfigPath: string | undefined): KubeConfig => {
  const kc = new KubeConfig()
  if (kubeconfigPath !== undefined && kubeconfigPath !== '') kc.loadFromFile(kubeconfigPath)
  else kc.loadFromCluster()
  return kc
}

/** The W3C headers of the call's CLIENT span (effects/client-span.ts); undefined with tracing off. */
export type TraceHeaders = Readonly<Record<string, string>>

/**
 * client-node has no timeout of its own; its fetch honours the request's AbortSignal, and
 * aborting closes the socket, so a hung apiserver cannot pile up open connections. `trace` goes
 * out as request headers, so the apiserver's audit and traces join the request's trace.
 */
export const timeoutOptions = (timeoutMs: number, signal?: AbortSignal, trace?: TraceHeaders): ConfigurationOptions => {
  // The object-parameter API passes options straight to its Observable layer, so the middleware
  // has to be the Observable kind (client-node's own small stub, not RxJS).
  const middleware: ObservableMiddleware = {
    pre: (context) => {
      context.setSignal(signal === undefined ? AbortSignal.timeout(timeoutMs) : AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]))
      if (trace !== undefined) for (const [name, value] of Object.entries(trace)) context.setHeaderParam(name, value)
      return new Observable(Promise.resolve(context))
    },
    post: (response) => new Observable(Promise.resolve(response)),
  }
  return { middleware: [middleware], middlewareMergeStrategy: 'append' }
}

/**
 * A Kubernetes GET, hedged when a hedger is given (the service passes one; one-shot commands do
 * not). A 5xx, 429 or timeout is the apiserver in distress: no hedging for a while after one.
 * Both copies of a hedged GET carry the same CLIENT span's `trace`: they are one call to the caller.
 */
export const kubeRead = <T>(
  hedger: Hedger | undefined,
  kind: string,
  timeoutMs: number,
  trace: TraceHeaders | undefined,
  read: (options: ConfigurationOptions) => Promise<T>,
): Promise<T> =>
  hedger === undefined
    ? read(timeoutOptions(timeoutMs, undefined, trace))
    : hedger.read(
        kind,
        (signal) => read(timeoutOptions(timeoutMs, signal, trace)),
        (outcome) => !outcome.ok && classifyKubeError(outcome.error, kind, timeoutMs).kind === 'retryable',
      )
