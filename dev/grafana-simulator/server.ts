/**
 * A Grafana HTTP API simulator on loopback, for tests and the local stack.
 *
 * Grafana cannot be installed on the project's machines, so the real client (ky) talks to this
 * server instead. It follows Grafana's legacy `/api` contract for the routes the service uses
 * (status codes and bodies, see `routes.ts`) and lets a test break any request kind through the
 * shared `FaultInjector`: an error status (with Retry-After), latency, a hang or a reset socket.
 *
 * Order per request, as a real server plus a flaky network would behave: count the request, apply
 * the fault decision, then authenticate, then handle.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { createFaultInjector, meetFault, type FaultInjector } from '../faults.js'
import { LOOPBACK } from '../free-port.js'
import { authorize } from './auth.js'
import { DATASOURCE_PROXY_KIND, matchDatasourceProxy, proxyDatasource } from './datasource-proxy.js'
import { DEFAULT_DATASOURCES, type DatasourceSpec } from './datasources.js'
import type { FolderExistsStatus } from './folders.js'
import type { GrafanaFlavour } from './dashboards.js'
import { failure, type Reply } from './reply.js'
import { route, type Serving } from './routes.js'
import { GRAFANA_13, type ApisVersions } from './apis-discovery.js'
import { forStatusCode, unauthorized } from './apis-status.js'
import { insideSubPath, normalizeSubPath, withSubPathLinks } from './sub-path.js'
import { createGrafanaStore, type DashboardRecord } from './store.js'

export interface GrafanaSimulatorOptions {
  port?: number
  /** service-account token accepted as `Authorization: Bearer`; default 'sim-grafana-token' */
  token?: string
  /** default admin/admin */
  basicAuth?: { user: string; password: string }
  /** which status a duplicate folder create answers; default 409 */
  folderExistsStatus?: FolderExistsStatus
  /** '11.3+' (default: titles free) or 'pre-11.3-mysql' (titles unique per folder, overwrite takes over) */
  flavour?: GrafanaFlavour
  /** serve under this sub-path (`/grafana`), as Grafana with `serve_from_sub_path`; default the root */
  subPath?: string
  /** what `GET /api/datasources/uid/:uid` finds; default a Prometheus (uid prometheus) and a Loki (uid loki) */
  datasources?: readonly DatasourceSpec[]
  /** the `/apis` versions served (default Grafana 13's: v1 and v1beta1); false = a Grafana before 12 (`/apis` is 404) */
  apis?: ApisVersions | false
  /** false: the legacy dashboard, folder and search routes answer 404 (health and datasources stay); default true */
  legacyRoutes?: boolean
  /** the `/apis` namespace of the store; default `default` (org 1) */
  namespace?: string
}

export interface GrafanaSimulator {
  /** the API base, sub-path included */
  readonly url: string
  readonly token: string
  readonly faults: FaultInjector
  /** read-only view for assertions */
  folders(): ReadonlyArray<{ uid: string; title: string; id: number }>
  dashboards(): ReadonlyArray<{
    uid: string
    id: number
    title: string
    folderUid: string | undefined
    tags: readonly string[]
    version: number
    url: string
    model: Readonly<Record<string, unknown>>
    labels: Readonly<Record<string, string>>
    annotations: Readonly<Record<string, string>>
  }>
  /** out-of-band change, as an operator in the UI would do */
  deleteDashboardDirect(uid: string): void
  /** out-of-band move into another folder (undefined = General), as a person in the UI would do */
  moveDashboardDirect(uid: string, folderUid: string | undefined): void
  /** switch the legacy dashboard/folder/search routes on or off, as an upgrade of the running Grafana would */
  setLegacyRoutes(on: boolean): void
  /** change the `/apis` versions served (false: none), as an upgrade or downgrade would */
  setApis(versions: ApisVersions | false): void
  /** requests seen per kind, faulted and unauthorized ones included */
  readonly requests: ReadonlyMap<string, number>
  /** stops listening and destroys every open socket, hung ones included */
  stop(): Promise<void>
}

const MAX_BODY_BYTES = 10 * 1024 * 1024
const INVALID_JSON = Symbol('invalid JSON')

const faultMessages: Readonly<Record<number, string>> = {
  429: 'Too many requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
}

const readBody = async (req: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk))
    size += buffer.length
    if (size > MAX_BODY_BYTES) return INVALID_JSON
    chunks.push(buffer)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch {
    return INVALID_JSON
  }
}

const send = (res: ServerResponse, answer: Reply): void => {
  if (res.writableEnded || res.destroyed) return
  const payload = JSON.stringify(answer.body)
  res.writeHead(answer.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'cache-control': 'no-store',
    ...answer.headers,
  })
  res.end(payload)
}

const publicDashboard = (d: DashboardRecord) => ({
  uid: d.uid,
  id: d.id,
  title: d.title,
  folderUid: d.folderUid,
  tags: d.tags,
  version: d.version,
  url: d.url,
  model: d.model,
  labels: d.labels ?? {},
  annotations: d.annotations ?? {},
})

export const startGrafanaSimulator = async (options: GrafanaSimulatorOptions = {}): Promise<GrafanaSimulator> => {
  const token = options.token ?? 'sim-grafana-token'
  const credentials = { token, basicAuth: options.basicAuth ?? { user: 'admin', password: 'admin' } }
  const folderExistsStatus = options.folderExistsStatus ?? 409
  const subPath = normalizeSubPath(options.subPath)
  const datasources = options.datasources ?? DEFAULT_DATASOURCES
  const store = createGrafanaStore()
  const faults = createFaultInjector()
  const requests = new Map<string, number>()
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()
  let serving: Serving = { versions: options.apis ?? GRAFANA_13, namespace: options.namespace ?? 'default', legacyRoutes: options.legacyRoutes ?? true }

  const delay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer)
        resolve()
      }, ms)
      timers.add(timer)
    })

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://simulator')
    const inside = insideSubPath(url.pathname, subPath)
    // the data source proxy passes any body on unparsed, so it is matched before the JSON routes
    const proxied = inside === undefined ? undefined : matchDatasourceProxy(inside)
    const body = proxied === undefined ? await readBody(req) : undefined
    const target =
      proxied === undefined
        ? route(req.method ?? 'GET', inside ?? '/outside-sub-path', serving)
        : { kind: DATASOURCE_PROXY_KIND, needsAuth: true, apis: false, handle: () => failure(500, 'unreachable') }
    requests.set(target.kind, (requests.get(target.kind) ?? 0) + 1)

    const faulted = await meetFault(faults.decide(target.kind), req.socket, delay, (effect) => {
      const headers = effect.retryAfterSeconds === undefined ? undefined : { 'retry-after': String(effect.retryAfterSeconds) }
      const message = faultMessages[effect.status] ?? `simulated fault ${effect.status}`
      const body = target.apis === true ? forStatusCode(effect.status, effect.retryAfterSeconds).body : { message }
      send(res, { status: effect.status, body, ...(headers === undefined ? {} : { headers }) })
    })
    if (faulted) return

    if (target.needsAuth) {
      const denied = authorize(req.headers.authorization, credentials)
      if (denied !== undefined) return send(res, target.apis === true ? unauthorized() : denied)
    }
    if (proxied !== undefined) return proxyDatasource(proxied, url, req, res, datasources)
    if (body === INVALID_JSON) return send(res, failure(400, 'bad request data'))
    const answer = target.handle({ store, body, query: url.searchParams, folderExistsStatus, flavour: options.flavour ?? '11.3+', datasources })
    send(res, { ...answer, body: withSubPathLinks(answer.body, subPath) })
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      send(res, failure(500, `simulator error: ${error instanceof Error ? error.message : String(error)}`))
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, LOOPBACK, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('simulator has no TCP address')

  return {
    url: `http://${LOOPBACK}:${address.port}${subPath}`,
    token,
    faults,
    folders: () => [...store.folders.values()].map(({ uid, title, id }) => ({ uid, title, id })),
    dashboards: () => [...store.dashboards.values()].map(publicDashboard),
    deleteDashboardDirect: (uid) => {
      store.dashboards.delete(uid)
    },
    moveDashboardDirect: (uid, folderUid) => {
      const found = store.dashboards.get(uid)
      if (found !== undefined) store.dashboards.set(uid, { ...found, folderUid, version: found.version + 1, resourceVersion: store.nextResourceVersion() })
    },
    setLegacyRoutes: (on) => {
      serving = { ...serving, legacyRoutes: on }
    },
    setApis: (versions) => {
      serving = { ...serving, versions }
    },
    requests,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer)
        timers.clear()
        server.close((error) => (error === undefined ? resolve() : reject(error)))
        for (const socket of sockets) socket.destroy()
      }),
  }
}
