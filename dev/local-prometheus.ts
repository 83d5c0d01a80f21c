/**
 * The local stack's real Prometheus servers: one managed cluster whose sample exporter has
 * containers in the sample create's namespaces (and one namespace the sample does not ask for),
 * and a central Prometheus that follows what the service writes — the secret's list, or its
 * ScrapeConfigs rendered as the Prometheus Operator renders them — reloaded on each change, as
 * the Operator's config reloader does. Plus the numbers a dashboard would show: each metrics
 * panel's query, asked through the Grafana simulator's data source proxy.
 */
import { isRight } from 'fp-ts/lib/Either.js'
import { ScrapeConfigResource } from '../src/codecs/apis/scrape-config.js'
import { substituteGrafanaVariables } from '../src/effects/grafana/grafana-variables.js'
import type { ContainerSeries } from './cadvisor-exporter.js'
import type { DevStack } from './dev-stack.js'
import { operatorScrapeConfigsYaml } from './operator-scrape-config.js'
import { startPrometheusLab, type PrometheusLab } from './prometheus-lab.js'

const MB = 1024 * 1024
const series = (namespace: string, pod: string, container: string, image: string, memoryMb: number, cpu: number, rx: number, tx: number): ContainerSeries => ({
  namespace,
  pod,
  container,
  image,
  memoryBytes: memoryMb * MB,
  cpuCoresPerSecond: cpu,
  receiveBytesPerSecond: rx,
  transmitBytesPerSecond: tx,
})

/** The sample cluster: what the sample service's dashboard shows. */
export const SAMPLE_CLUSTER_SERIES: readonly ContainerSeries[] = [
  series('NAMESPACE_1', 'frontend-7d9c', 'frontend', 'nginx:1.27', 128, 0.2, 250_000, 500_000),
  series('NAMESPACE_1', 'backend-5f2a', 'backend', 'backend:2.4', 384, 0.6, 125_000, 125_000),
  series('NAMESPACE_2', 'postgres-0', 'postgres', 'postgres:16', 512, 0.35, 62_500, 31_250),
  series('kube-system', 'coredns-1', 'coredns', 'coredns:1.11', 32, 0.01, 1_000, 1_000),
]

export const startLocalPrometheus = (): Promise<PrometheusLab> => startPrometheusLab({ sample: SAMPLE_CLUSTER_SERIES })

/** What the central Prometheus should scrape now: the secret's list, or the ScrapeConfigs as the Operator renders them. */
const desiredConfig = (stack: DevStack, backend: string): string =>
  backend === 'scrapeconfig'
    ? operatorScrapeConfigsYaml(
        stack.scrapeConfigObjects().flatMap((o) => {
          const decoded = ScrapeConfigResource.decode(o)
          return isRight(decoded) ? [decoded.right] : []
        }),
      )
    : (stack.scrapeConfigs() ?? '')

export interface ConfigFollower {
  /** reloads now if the service's scrape configs changed since the last reload */
  sync(): Promise<void>
  stop(): void
}

/**
 * Reloads the central Prometheus whenever the service's scrape configs change (checked every
 * second). A job whose target is not a local server is not given to Prometheus (the lab refuses
 * it): the line says so instead.
 */
export const followScrapeConfigs = (stack: DevStack, lab: PrometheusLab, backend: string, say: (line: string) => void): ConfigFollower => {
  let loaded: string | undefined
  let running: Promise<void> = Promise.resolve()
  const sync = (): Promise<void> => {
    running = running.then(async () => {
      const wanted = desiredConfig(stack, backend)
      if (wanted === loaded) return
      loaded = wanted
      try {
        await lab.loadScrapeConfigs(wanted)
      } catch (error) {
        say(`central Prometheus not reloaded: ${error instanceof Error ? error.message : String(error)}`)
      }
    })
    return running
  }
  const timer = setInterval(() => void sync(), 1000)
  return { sync, stop: () => clearInterval(timer) }
}

interface VectorAnswer {
  readonly status?: string
  readonly data?: { readonly result?: ReadonlyArray<{ readonly metric: Record<string, string>; readonly value: readonly [number, string] }> }
}

/** One panel's current value per namespace, asked as Grafana asks: through its data source proxy. */
export const panelValues = async (stack: DevStack, expr: string): Promise<ReadonlyArray<readonly [string, number]>> => {
  const query = substituteGrafanaVariables(expr, { rateInterval: '20s' })
  const url = `${stack.grafana.url}/api/datasources/proxy/uid/prometheus/api/v1/query?${new URLSearchParams({ query }).toString()}`
  const answer = (await (await fetch(url, { headers: { authorization: `Bearer ${stack.grafana.token}` } })).json()) as VectorAnswer
  return (answer.data?.result ?? []).map((s) => [s.metric['namespace'] ?? '', Number(s.value[1])] as const).sort(([a], [b]) => a.localeCompare(b))
}
