/**
 * The simulated surroundings of the service, in one call: the Kubernetes and Grafana simulators
 * (with the scrape-config secret seeded), and the environment that points the service at them
 * plus a given Redis and Kafka. Used by the integration tests, the local stack and the benchmarks,
 * so all three run the service exactly as production does: configured by the environment alone.
 */
import { isLeft } from 'fp-ts/lib/Either.js'
import type { Config } from '../src/config/config.js'
import { loadConfig } from '../src/config/load-config.js'
import { startGrafanaSimulator, type GrafanaSimulator, type GrafanaSimulatorOptions } from './grafana-simulator/server.js'
import { startKubeSimulator, type KubeSimulator } from './kube-simulator/index.js'

export const DEV_SECRET = { namespace: 'monitoring', name: 'prometheus-additional-scrape-configs', key: 'prometheus-additional.yaml' } as const

/** Where the ScrapeConfig backend writes (SCRAPE_CONFIG_BACKEND=scrapeconfig picks it; migrate reads both). */
export const DEV_SCRAPE_CONFIG = { namespace: 'monitoring', labels: 'release=prometheus' } as const

export interface DevStackOptions {
  readonly redisUrl: string
  readonly kafkaBrokers: string
  /** isolates this stack's Redis keys and Kafka consumer group from others on the same servers */
  readonly instance?: string
  /** initial content of the secret's key; undefined seeds an empty list */
  readonly initialScrapeConfigs?: string
  readonly grafana?: GrafanaSimulatorOptions
  readonly env?: Readonly<Record<string, string>>
}

export interface DevStack {
  readonly kube: KubeSimulator
  readonly grafana: GrafanaSimulator
  readonly env: Readonly<Record<string, string>>
  readonly config: Config
  scrapeConfigs(): string | undefined
  /** the ScrapeConfig objects in DEV_SCRAPE_CONFIG.namespace (wire form, sorted by name) */
  scrapeConfigObjects(): readonly Record<string, unknown>[]
  stop(): Promise<void>
}

export const startDevStack = async (options: DevStackOptions): Promise<DevStack> => {
  const kube = await startKubeSimulator()
  const grafana = await startGrafanaSimulator(options.grafana)
  kube.setSecret(DEV_SECRET.namespace, DEV_SECRET.name, { [DEV_SECRET.key]: options.initialScrapeConfigs ?? '' })
  const kubeconfigPath = await kube.writeKubeconfig()
  const instance = options.instance ?? 'dev'
  const env: Record<string, string> = {
    KAFKA_BROKERS: options.kafkaBrokers,
    KAFKA_GROUP_ID: `telemetry-client-${instance}`,
    REDIS_URL: options.redisUrl,
    REDIS_KEY_PREFIX: `tc:${instance}:`,
    KUBECONFIG: kubeconfigPath,
    SECRET_NAMESPACE: DEV_SECRET.namespace,
    SECRET_NAME: DEV_SECRET.name,
    SECRET_KEY: DEV_SECRET.key,
    SCRAPE_CONFIG_NAMESPACE: DEV_SCRAPE_CONFIG.namespace,
    SCRAPE_CONFIG_LABELS: DEV_SCRAPE_CONFIG.labels,
    GRAFANA_URL: grafana.url,
    GRAFANA_TOKEN: grafana.token,
    GRAFANA_PUBLIC_URL: 'http://grafana.local:3000',
    GRAFANA_RETRIES: '3',
    GRAFANA_TIMEOUT_MS: '2000',
    LANE_IDLE_MS: '2000',
    // a free port per stack: several stacks (and services) run side by side in tests
    HTTP_PORT: '0',
    ...options.env,
  }
  const loaded = loadConfig(env)
  if (isLeft(loaded)) {
    await Promise.all([kube.stop(), grafana.stop()])
    throw new Error(`dev stack configuration is invalid: ${loaded.left.join('; ')}`)
  }
  return {
    kube,
    grafana,
    env,
    config: loaded.right,
    scrapeConfigs: () => kube.secret(DEV_SECRET.namespace, DEV_SECRET.name)?.data[DEV_SECRET.key],
    scrapeConfigObjects: () => kube.scrapeConfigs(DEV_SCRAPE_CONFIG.namespace),
    stop: async () => {
      await Promise.all([kube.stop(), grafana.stop()])
    },
  }
}
