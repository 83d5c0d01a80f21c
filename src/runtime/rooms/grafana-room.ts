/**
 * The Grafana room: the Grafana port (legacy or `/apis` adapter, as GRAFANA_API says or discovery
 * finds), with its own hedger (one server, one extra-call budget), its readiness check and the
 * API it uses, for /readyz.
 */
import type { Config } from '../../config/config.js'
import { createGrafanaClient, describeApi, type GrafanaClient } from '../../effects/grafana/grafana-client.js'
import { createHedger, type HedgePolicy } from '../../effects/hedged-read.js'
import type { Logger } from '../../support/logger.js'
import type { Tracing } from '../../support/tracing/tracing.js'
import type { Metrics } from '../metrics.js'

export interface GrafanaRoom {
  readonly port: GrafanaClient
  /** Readiness: `/api/health` answers with its database ok */
  ready(): Promise<string>
  /** which API holds dashboards and folders, as /readyz shows it */
  apiShown(): string
}

export const openGrafanaRoom = (
  config: Pick<Config, 'grafana'>,
  deps: { readonly logger: Logger; readonly metrics: Metrics; readonly tracing: Tracing; readonly hedgePolicy?: Partial<HedgePolicy> },
): GrafanaRoom => {
  const { grafana: settings } = config
  const { logger } = deps
  const hedger = createHedger(deps.hedgePolicy === undefined ? {} : { policy: deps.hedgePolicy })
  const port = createGrafanaClient({
    baseUrl: settings.url,
    auth: settings.auth,
    retry: { retries: settings.retries, timeoutMs: settings.timeoutMs },
    maxConcurrency: settings.maxConcurrency,
    api: settings.api,
    namespace: settings.namespace,
    tracing: deps.tracing,
    hedger,
    onApiChosen: (api) => logger.info({ grafanaApi: describeApi(api), grafanaApiSetting: settings.api }, 'Grafana API chosen'),
  })
  deps.metrics.readFrom({ grafanaRetries: () => port.retries, hedgedReads: () => hedger.counts })
  // ask discovery now, so /readyz and the log say early which API is in use; Grafana down is no
  // reason not to start: the first dashboard call asks again
  port
    .chooseApi()
    .catch((error: unknown) =>
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'Grafana API discovery failed; asked again on the first dashboard call'),
    )
  return {
    port,
    ready: async () => ((await port.health()) ? '/api/health: database ok' : Promise.reject(new Error('/api/health did not answer database ok'))),
    apiShown: () => {
      const api = port.apiInUse()
      return api === undefined ? `not yet discovered (GRAFANA_API=${settings.api})` : describeApi(api)
    },
  }
}
