/**
 * The service's Grafana client: the Grafana port (grafana-port.ts) with the adapter GRAFANA_API
 * names, or (`auto`) the one discovery picks: `/apis` when Grafana offers dashboards and folders in
 * a version the service knows, the legacy `/api` otherwise. Discovery is asked once, then again
 * only when a route the chosen adapter relies on answers 404 (Grafana upgraded or downgraded under
 * the running service); the call is then made once more through the newly chosen adapter.
 * Health stays on the legacy `/api/health` in every mode, as Grafana serves it in every version.
 */
import { HealthResponse } from '../../codecs/apis/grafana.js'
import type { GrafanaApiChoice } from '../../config/config.js'
import { discoverApi } from './grafana-discovery.js'
import { createApisDashboards } from './grafana-apis.js'
import { GrafanaError } from './grafana-error.js'
import { createLegacyDashboards, type LegacyOptions } from './grafana-legacy.js'
import { describeApi, type FolderFound, type GrafanaAdapter, type GrafanaApiInUse, type GrafanaDashboards } from './grafana-port.js'
import { createGrafanaTransport, isOk, type Call, type TransportOptions } from './grafana-transport.js'

export type { RetryOptions } from '../retry-policy.js'
export type { GrafanaAuth } from './grafana-transport.js'
export type { DashboardRef, FoundDashboard, GrafanaApiInUse, OwnDashboard } from './grafana-port.js'
export { describeApi } from './grafana-port.js'
export { GrafanaError, type GrafanaErrorKind } from './grafana-error.js'

export interface GrafanaClient extends GrafanaDashboards {
  /** `GET /api/health` said the database is ok; never throws, never retries */
  health(): Promise<boolean>
  /**
   * A write whose attempt timed out may still land later (the server kept working after we gave
   * up). For the given uids, wait until any such write can no longer land, and return the uids
   * that had one, so the caller re-applies its own write on top (last writer wins again).
   */
  settle(uids: readonly string[]): Promise<readonly string[]>
  /** the API in use; undefined until discovery has answered (auto) */
  apiInUse(): GrafanaApiInUse | undefined
  /** choose the API now (discovery in auto); throws like any call when Grafana cannot be asked */
  chooseApi(): Promise<GrafanaApiInUse>
  /** number of retries performed so far, per operation kind (for metrics) */
  readonly retries: ReadonlyMap<string, number>
}

export interface GrafanaClientOptions extends TransportOptions, LegacyOptions {
  /** GRAFANA_API (default auto) */
  api?: GrafanaApiChoice
  /** GRAFANA_NAMESPACE (default `default`) */
  namespace?: string
  /** items per `/apis` list page */
  apisPageSize?: number
  /** told each time an API is chosen (at the first call, and after a re-discovery) */
  onApiChosen?: (api: GrafanaApiInUse) => void
}

interface Chosen {
  readonly api: GrafanaApiInUse
  readonly adapter: GrafanaAdapter
}

const sameApi = (a: GrafanaApiInUse, b: GrafanaApiInUse): boolean => describeApi(a) === describeApi(b)

export const createGrafanaClient = (opts: GrafanaClientOptions): GrafanaClient => {
  const transport = createGrafanaTransport(opts)
  const mode = opts.api ?? 'auto'
  const namespace = opts.namespace ?? 'default'
  let chosen: Chosen | undefined
  let asking: Promise<Chosen> | undefined

  const adapterOf = (api: GrafanaApiInUse): GrafanaAdapter =>
    api.kind === 'legacy'
      ? createLegacyDashboards(transport, opts)
      : createApisDashboards(transport, {
          baseUrl: opts.baseUrl,
          dashboardVersion: api.dashboardVersion,
          folderVersion: api.folderVersion,
          namespace: api.namespace,
          ...(opts.apisPageSize === undefined ? {} : { pageSize: opts.apisPageSize }),
        })

  const ask = async (): Promise<GrafanaApiInUse> => {
    if (mode === 'legacy') return { kind: 'legacy' }
    const api = await discoverApi(transport, namespace)
    if (mode === 'apis' && api.kind === 'legacy') {
      throw transport.fail(
        'fatal',
        undefined,
        'discover Grafana APIs',
        'GRAFANA_API=apis, but this Grafana offers no dashboard.grafana.app and folder.grafana.app in v1 or v1beta1 (set GRAFANA_API=auto or legacy)',
      )
    }
    return api
  }

  const current = (): Promise<Chosen> => {
    if (chosen !== undefined) return Promise.resolve(chosen)
    asking ??= ask()
      .then((api) => {
        const next = { api, adapter: adapterOf(api) }
        chosen = next
        opts.onApiChosen?.(api)
        return next
      })
      .finally(() => {
        asking = undefined
      })
    return asking
  }

  /** the call through the chosen adapter; after a 404 from one of its routes, discovery again and one more try */
  const via = async <A>(call: (adapter: GrafanaAdapter) => Promise<A>): Promise<A> => {
    const first = await current()
    try {
      return await call(first.adapter)
    } catch (error) {
      if (mode === 'legacy' || !(error instanceof GrafanaError) || error.kind !== 'not-found') throw error
      if (chosen === first) chosen = undefined
      const again = await current()
      if (sameApi(again.api, first.api)) throw error
      return await call(again.adapter)
    }
  }

  /** folders confirmed to exist: the service never deletes them, so one confirmation per process, whichever API gave it */
  const knownFolders = new Set<string>()

  /** A folder under our uid with another title or a parent is someone else's: never adopted. */
  const ours = (operation: string, title: string, found: FolderFound): void => {
    if (found.title === title && found.parentUid === '') return
    const where = found.parentUid === '' ? 'at the root' : `under parent folder ${found.parentUid}`
    throw transport.fail(
      'conflict',
      undefined,
      operation,
      `a folder "${found.title}" ${where} already has this uid; expected "${title}" at the root: not adopting someone else's folder (rename or move it, or remove it)`,
    )
  }

  const ensureFolderExists = async (adapter: GrafanaAdapter, uid: string, title: string): Promise<void> => {
    const operation = `ensure folder ${uid}`
    const created = await adapter.createFolder(uid, title, operation)
    if ('saved' in created) return ours(operation, title, created.saved)
    // "exists" may also mean another folder has this title: the uid must be there
    const found = await adapter.readFolder(uid, operation)
    if (found === undefined)
      throw transport.fail(
        'conflict',
        created.exists,
        operation,
        `create answered ${created.exists} but no folder has this uid (another folder may have the title "${title}")`,
      )
    ours(operation, title, found)
  }

  return {
    retries: transport.retries,
    settle: transport.settle,
    apiInUse: () => chosen?.api,
    chooseApi: async () => (await current()).api,
    ensureFolder: async (uid, title) => {
      if (knownFolders.has(uid)) return
      await via((a) => ensureFolderExists(a, uid, title))
      knownFolders.add(uid)
    },
    forgetFolder: (uid) => {
      knownFolders.delete(uid)
    },
    upsertDashboard: (dashboard, folderUid, message, serviceId, options) => via((a) => a.upsertDashboard(dashboard, folderUid, message, serviceId, options)),
    getDashboard: (uid) => via((a) => a.getDashboard(uid)),
    deleteDashboard: (uid) => via((a) => a.deleteDashboard(uid)),
    listOwn: (serviceId) => via((a) => a.listOwn(serviceId)),
    health: async () => {
      // A probe must answer fast and say "not now", so no retries and no throwing.
      const call: Call = { kind: 'health', operation: 'health', method: 'get', path: 'api/health' }
      try {
        const answer = await transport.send(call, { maxRetries: 0, queued: false })
        return isOk(answer) && transport.decode(HealthResponse, call, answer).database === 'ok'
      } catch {
        return false
      }
    },
  }
}
