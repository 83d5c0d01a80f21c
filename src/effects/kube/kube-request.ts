/**
 * What every Kubernetes call of both scrape backends shares: where the kubeconfig comes from, the
 * per-call timeout (client-node has none of its own) and the hedged GET.
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

/**
 * client-node has no timeout of its own; its fetch honours the request's AbortSignal, and
 * aborting closes the socket, so a hung apiserver cannot pile up open connections.
 */
export const timeoutOptions = (timeoutMs: number, signal?: AbortSignal): ConfigurationOptions => {
  // The object-parameter API passes options straight to its Observable layer, so the middleware
  // has to be the Observable kind (client-node's own small stub, not RxJS).
  const middleware: ObservableMiddleware = {
    pre: (context) => {
      context.setSignal(signal === undefined ? AbortSignal.timeout(timeoutMs) : AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]))
      return new Observable(Promise.resolve(context))
    },
    post: (response) => new Observable(Promise.resolve(response)),
  }
  return { middleware: [middleware], middlewareMergeStrategy: 'append' }
}

/**
 * A Kubernetes GET, hedged when a hedger is given (the service passes one; one-shot commands do
 * not). A 5xx, 429 or timeout is the apiserver in distress: no hedging for a while after one.
 */
export const kubeRead = <T>(hedger: Hedger | undefined, kind: string, timeoutMs: number, read: (options: ConfigurationOptions) => Promise<T>): Promise<T> =>
  hedger === undefined
    ? read(timeoutOptions(timeoutMs))
    : hedger.read(kind, (signal) => read(timeoutOptions(timeoutMs, signal)), (outcome) => !outcome.ok && classifyKubeError(outcome.error, kind, timeoutMs).kind === 'retryable')
