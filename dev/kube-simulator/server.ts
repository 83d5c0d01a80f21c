/**
 * A kube-apiserver stand-in for the resources the service uses: core/v1 Secrets, and the
 * ScrapeConfig custom resource of the scrapeconfig backend (scrapeconfig-*.ts).
 *
 * No apiserver can be installed on the build machines, so the real `@kubernetes/client-node`
 * talks to this over loopback. It keeps the contract that matters to a writer of a shared
 * Secret — opaque resourceVersions, 409 on a stale one, Status bodies, bearer-token auth — and
 * lets tests break single request kinds through the FaultInjector. Counters let tests assert
 * how the service behaved (e.g. that it never had two writes in flight).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { createFaultInjector, meetFault, type FaultInjector } from '../faults.js'
import { renderKubeconfig, type KubeconfigOptions } from './kubeconfig.js'
import { createKubeconfigFiles } from './kubeconfig-files.js'
import { createDispatch } from './dispatch.js'
import { readBody, send } from './http-io.js'
import { mediaType } from './operations.js'
import { isWrite, kindOf, route, verbOf } from './routes.js'
import { createSecretStore } from './secret-store.js'
import { createScrapeConfigStore, render as renderScrapeConfig } from './scrapeconfig-store.js'
import * as C from './scrapeconfig-status.js'
import { outOfBandScrapeConfig } from './scrapeconfig-out-of-band.js'
import * as S from './status.js'

export interface KubeSimulatorOptions {
  port?: number
  /** bearer token with full rights on Secrets (default 'sim-token') */
  token?: string
  /** authenticated but authorized for nothing: every request gets 403 (default 'sim-forbidden-token') */
  forbiddenToken?: string
  /** namespaces where even `token` gets 403 */
  forbiddenNamespaces?: readonly string[]
  /** namespaces where `token` may use ScrapeConfigs (default: all but `forbiddenNamespaces`) */
  scrapeConfigNamespaces?: readonly string[]
  /** false: an apiserver without the ScrapeConfig CRD (Prometheus Operator < v0.65): its endpoints answer 404 (default true) */
  scrapeConfigCrd?: boolean
  /** user name `token` authenticates as, shown in 403 messages */
  user?: string
  faults?: FaultInjector
}

export interface KubeSimulator {
  readonly url: string
  readonly token: string
  readonly forbiddenToken: string
  readonly faults: FaultInjector
  /** kubeconfig YAML pointing at this server (skipTLSVerify, bearer token) */
  kubeconfig(options?: KubeconfigOptions): string
  /** writes it into a fresh temp directory under `dir` (default os.tmpdir()); removed on stop() */
  writeKubeconfig(dir?: string, options?: KubeconfigOptions): Promise<string>
  /** read-only view for assertions: decoded string data, resourceVersion */
  secret(namespace: string, name: string): { data: Readonly<Record<string, string>>; resourceVersion: string } | undefined
  /** out-of-band edit as a competing writer would do: creates or replaces the data, always bumps resourceVersion */
  setSecret(namespace: string, name: string, data: Record<string, string>): void
  deleteSecret(namespace: string, name: string): void
  /** read-only view of a ScrapeConfig in its wire form (managedFields included) */
  scrapeConfig(namespace: string, name: string): Record<string, unknown> | undefined
  /** out-of-band create or replace as another tool would do it (field manager `kubectl`) */
  setScrapeConfig(namespace: string, object: Record<string, unknown>): void
  /** every ScrapeConfig in the namespace, wire form, sorted by name */
  scrapeConfigs(namespace: string): readonly Record<string, unknown>[]
  /** out-of-band delete (as `kubectl delete` would) */
  deleteScrapeConfig(namespace: string, name: string): void
  /** requests received per kind (`secret.get`, `secret.get-metadata`, `secret.put`, `secret.patch`, `secret.create`, `secret.delete`, `unknown`) */
  readonly requests: ReadonlyMap<string, number>
  /** requests that carried a `traceparent` header, oldest first (the newest 10,000) */
  readonly tracedRequests: readonly TracedRequest[]
  /** PUT/PATCH/POST/DELETE requests that changed the store (no-op updates do not count) */
  readonly successfulWrites: number
  /** highest number of write requests in progress at the same time */
  readonly maxConcurrentWrites: number
  /**
   * Resolves once no request is being handled and none has arrived for `quietMs`. A client killed
   * by SIGKILL may have sent requests the server has not read yet (loopback bytes are in the
   * socket buffer, not yet parsed): a test counts the store only after this, so what it counts is
   * everything the dead client sent. Gives up after `timeoutMs` (a client that keeps calling).
   */
  idle(quietMs?: number, timeoutMs?: number): Promise<void>
  /** closes the server, destroying hung and idle sockets */
  stop(): Promise<void>
}

/** A request that carried W3C trace context, as the apiserver received it (its headers, verbatim). */
export interface TracedRequest {
  /** as in `requests` (`secret.put`, `scrapeconfig.apply`, …) */
  readonly kind: string
  readonly method: string
  readonly path: string
  readonly traceparent: string
  readonly tracestate?: string
}

/** The newest traced requests kept; a bound so a long bench run with tracing on cannot grow it without end. */
const MAX_TRACED_REQUESTS = 10_000

const FORBIDDEN_USER = 'system:serviceaccount:default:no-rights'

const encode = (data: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]))

export const startKubeSimulator = async (options: KubeSimulatorOptions = {}): Promise<KubeSimulator> => {
  const token = options.token ?? 'sim-token'
  const forbiddenToken = options.forbiddenToken ?? 'sim-forbidden-token'
  const user = options.user ?? 'system:serviceaccount:telemetry:telemetry-client'
  const forbiddenNamespaces = new Set(options.forbiddenNamespaces ?? [])
  const faults = options.faults ?? createFaultInjector()
  const store = createSecretStore()
  const scrapeConfigs = createScrapeConfigStore()
  const scrapeConfigNamespaces = options.scrapeConfigNamespaces === undefined ? undefined : new Set(options.scrapeConfigNamespaces)
  const policy = {
    token,
    user,
    forbiddenNamespaces,
    forbiddenToken,
    forbiddenUser: FORBIDDEN_USER,
    scrapeConfigCrd: options.scrapeConfigCrd ?? true,
    ...(scrapeConfigNamespaces === undefined ? {} : { scrapeConfigNamespaces }),
  }
  const dispatch = createDispatch(store, policy, scrapeConfigs)
  const files = createKubeconfigFiles()
  const requests = new Map<string, number>()
  const tracedRequests: TracedRequest[] = []
  const sockets = new Set<Socket>()
  const stopping = new AbortController()
  let successfulWrites = 0
  let writesInFlight = 0
  let maxConcurrentWrites = 0
  let handling = 0
  let lastArrival = Date.now()

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    handling += 1
    lastArrival = Date.now()
    res.once('close', () => (handling -= 1))
    const endpoint = route(req.method ?? 'GET', req.url ?? '/', req.headers['user-agent'], req.headers.accept)
    const kind = kindOf(endpoint)
    requests.set(kind, (requests.get(kind) ?? 0) + 1)
    const { traceparent, tracestate } = req.headers
    if (typeof traceparent === 'string') {
      if (tracedRequests.length >= MAX_TRACED_REQUESTS) tracedRequests.shift()
      tracedRequests.push({ kind, method: req.method ?? 'GET', path: req.url ?? '/', traceparent, ...(typeof tracestate === 'string' ? { tracestate } : {}) })
    }
    let inFlight = isWrite(endpoint)
    if (inFlight) {
      writesInFlight += 1
      maxConcurrentWrites = Math.max(maxConcurrentWrites, writesInFlight)
    }
    // Released synchronously before the answer is written, so a client that sends its next
    // write right after reading this answer is never counted as overlapping; 'close' covers
    // hangs, resets and clients that gave up.
    const release = (): void => {
      if (inFlight) writesInFlight -= 1
      inFlight = false
    }
    res.once('close', release)
    const answer = (status: number, body: unknown, headers?: Record<string, string>): void => {
      release()
      send(res, status, body, headers)
    }
    const body = await readBody(req)
    const faulted = await meetFault(
      faults.decide(kind),
      req.socket,
      (ms) => sleep(ms, undefined, { signal: stopping.signal }),
      (effect) => {
        const retryAfter = effect.retryAfterSeconds
        const status =
          endpoint.op === 'scrapeConfig'
            ? effect.status === 403
              ? C.forbidden(verbOf(endpoint), user, endpoint.namespace, endpoint.name)
              : C.forScrapeConfigStatusCode(effect.status, endpoint.name ?? '', (code) => S.forStatusCode(code, endpoint.name ?? '', retryAfter))
            : effect.status === 403
              ? S.forbidden(verbOf(endpoint), user, endpoint.namespace ?? 'default', endpoint.name)
              : S.forStatusCode(effect.status, endpoint.name ?? '', retryAfter)
        answer(effect.status, status, retryAfter === undefined ? {} : { 'Retry-After': String(retryAfter) })
      },
    )
    if (faulted) return
    if (body === undefined) {
      answer(413, S.requestEntityTooLarge())
      return
    }
    const reply = dispatch(endpoint, req.headers.authorization, mediaType(req.headers['content-type']), body)
    if (reply.changed) successfulWrites += 1
    answer(reply.status, reply.body)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (stopping.signal.aborted || res.destroyed) return
      send(res, 500, S.forStatusCode(500, '', undefined))
      console.error('kube-simulator: request failed', error)
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('kube-simulator: no TCP address')
  const url = `http://127.0.0.1:${address.port}`

  return {
    url,
    token,
    forbiddenToken,
    faults,
    kubeconfig: (o = {}) => renderKubeconfig(url, o.token ?? token, o.namespace),
    writeKubeconfig: (dir, o = {}) => files.write(renderKubeconfig(url, o.token ?? token, o.namespace), dir),
    secret: (namespace, name) => {
      const s = store.get(namespace, name)
      if (s === undefined) return undefined
      const data = Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]))
      return { data, resourceVersion: s.metadata.resourceVersion }
    },
    setSecret: (namespace, name, data) => {
      const current = store.get(namespace, name)
      const input = {
        name,
        namespace,
        resourceVersion: undefined,
        type: current?.type,
        labels: current?.metadata.labels,
        annotations: current?.metadata.annotations,
        data: encode(data),
      }
      if (current === undefined) store.create(namespace, name, input)
      else store.update(namespace, name, input, true)
    },
    deleteSecret: (namespace, name) => {
      store.delete(namespace, name)
    },
    scrapeConfig: (namespace, name) => {
      const stored = scrapeConfigs.get(namespace, name)
      return stored === undefined ? undefined : renderScrapeConfig(stored)
    },
    setScrapeConfig: (namespace, object) => outOfBandScrapeConfig(scrapeConfigs, namespace, object),
    scrapeConfigs: (namespace) => [...scrapeConfigs.list(namespace)].map(renderScrapeConfig),
    deleteScrapeConfig: (namespace, name) => {
      scrapeConfigs.delete(namespace, name)
    },
    requests,
    tracedRequests,
    get successfulWrites() {
      return successfulWrites
    },
    get maxConcurrentWrites() {
      return maxConcurrentWrites
    },
    idle: async (quietMs = 300, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs
      while (Date.now() < deadline) {
        if (handling === 0 && Date.now() - lastArrival >= quietMs) return
        await sleep(Math.min(50, quietMs))
      }
      throw new Error(`kube-simulator: not idle after ${timeoutMs} ms (${handling} request(s) in progress)`)
    },
    stop: async () => {
      stopping.abort()
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      for (const socket of sockets) socket.destroy()
      server.closeAllConnections()
      await closed
      await files.removeAll()
    },
  }
}
