/**
 * The operations HTTP server: liveness, readiness and Prometheus metrics, on node:http.
 *
 *   /livez   200 whenever the process can answer HTTP. It checks no dependency on purpose: a
 *            Kafka or Redis outage must not make the kubelet restart every replica (a restart
 *            fixes nothing there); readiness covers dependencies.
 *   /readyz  200 or 503 with `{ ready, checks, facts }` as JSON; the service answers it from the
 *            last results of its background checks (readiness-checks.ts), so it costs no call.
 *   /metrics the registry in Prometheus text format.
 *
 * A probe must always get an answer within its timeout, so readiness never throws and never
 * hangs: a rejecting or slow `ready()` (bounded by `checkTimeoutMs`) counts as not ready.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Registry } from 'prom-client'
import type { ReadinessFact } from './readiness-checks.js'

export interface Readiness {
  readonly ready: boolean
  readonly checks: Record<string, boolean>
  /** each check's last result: why not ready, and when it was checked */
  readonly facts?: Readonly<Record<string, ReadinessFact>>
  /** services waiting out a transient fault (informational: does not make the service unready) */
  readonly waitingOnRetry?: number
  /** informational facts shown with the checks (e.g. which Grafana API is in use) */
  readonly details?: Readonly<Record<string, string>>
}

export interface HttpServerOptions {
  /** 0 picks a free port */
  readonly port: number
  /** default: every interface (the kubelet probes the pod IP) */
  readonly host?: string
  readonly ready: () => Promise<Readiness>
  readonly registry: Registry
  /** bound on one readiness evaluation; default 2000 ms */
  readonly checkTimeoutMs?: number
}

export interface HttpServer {
  readonly url: string
  readonly port: number
  stop(): Promise<void>
}

export const DEFAULT_CHECK_TIMEOUT_MS = 2000

const TIMED_OUT = Symbol('timed out')

/** `promise`, or TIMED_OUT after `ms`; the timer never keeps the process alive. */
const within = <T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> => {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms)
    timer.unref()
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Runs named checks in parallel, each bounded by `timeoutMs`; a check that rejects, throws or
 * times out counts as false. Ready when every check is true (and there is at least one).
 */
export const readinessOf = async (checks: Record<string, () => Promise<boolean>>, timeoutMs = DEFAULT_CHECK_TIMEOUT_MS): Promise<Readiness> => {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, boolean]> => {
      try {
        return [name, (await within(Promise.resolve().then(check), timeoutMs)) === true]
      } catch {
        return [name, false]
      }
    }),
  )
  return { ready: entries.length > 0 && entries.every(([, ok]) => ok), checks: Object.fromEntries(entries) }
}

const send = (res: ServerResponse, status: number, contentType: string, body: string, head: boolean): void => {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' })
  res.end(head ? undefined : body)
}

const JSON_TYPE = 'application/json; charset=utf-8'
const TEXT_TYPE = 'text/plain; charset=utf-8'

const evaluate = async (ready: () => Promise<Readiness>, timeoutMs: number): Promise<Readiness & { error?: string }> => {
  try {
    const answer = await within(Promise.resolve().then(ready), timeoutMs)
    if (answer === TIMED_OUT) return { ready: false, checks: {}, error: `readiness checks did not answer within ${timeoutMs} ms` }
    return {
      ready: answer.ready,
      checks: answer.checks,
      ...(answer.facts === undefined ? {} : { facts: answer.facts }),
      ...(answer.waitingOnRetry === undefined ? {} : { waitingOnRetry: answer.waitingOnRetry }),
      ...(answer.details === undefined ? {} : { details: answer.details }),
    }
  } catch (error) {
    return { ready: false, checks: {}, error: error instanceof Error ? error.message : String(error) }
  }
}

const PATHS = new Set(['/livez', '/readyz', '/metrics'])

export const startHttpServer = async (options: HttpServerOptions): Promise<HttpServer> => {
  const timeoutMs = options.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    if (!PATHS.has(path)) return send(res, 404, TEXT_TYPE, 'not found\n', false)
    const head = req.method === 'HEAD'
    if (req.method !== 'GET' && !head) {
      res.setHeader('allow', 'GET, HEAD')
      return send(res, 405, TEXT_TYPE, 'method not allowed\n', false)
    }
    switch (path) {
      case '/livez':
        return send(res, 200, TEXT_TYPE, 'ok\n', head)
      case '/readyz': {
        const readiness = await evaluate(options.ready, timeoutMs)
        return send(res, readiness.ready ? 200 : 503, JSON_TYPE, JSON.stringify(readiness), head)
      }
      default:
        return send(res, 200, options.registry.contentType, await options.registry.metrics(), head)
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // only a failing metrics collector gets here; the server keeps serving
      if (!res.headersSent) send(res, 500, TEXT_TYPE, `internal error: ${error instanceof Error ? error.message : String(error)}\n`, false)
      else res.destroy()
    })
  })
  // probes and scrapes are short; do not let a stuck client hold a socket for minutes
  server.requestTimeout = 10_000
  server.headersTimeout = 5_000

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const host = options.host === undefined || options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`

  let stopping: Promise<void> | undefined
  return {
    url,
    port,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        // keep-alive sockets (Prometheus reuses its connection) would hold close() open
        server.closeAllConnections()
      })),
  }
}
