/**
 * Real Prometheus servers around the service: one "managed cluster" Prometheus per sample
 * exporter (scraping it every second) and one "central" Prometheus whose scrape_configs are the
 * service's jobs, as the Prometheus Operator gives them to it. Used by the integration tests (one
 * lab per run, test/support/prometheus-fixture.ts) and the local stack.
 *
 * Safety: the central server scrapes whatever it is told to, so `loadScrapeConfigs` refuses any
 * target that is not one of this lab's managed-cluster servers. A real Prometheus must never be
 * pointed at the invented addresses (10.x and such) other fixtures use.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parse } from 'yaml'
import { startCadvisorExporter, type CadvisorExporter, type ContainerSeries } from './cadvisor-exporter.js'
import { LOOPBACK } from './free-port.js'
import { startPrometheusServer, type PrometheusServer } from './prometheus-server.js'

export interface ManagedCluster {
  readonly name: string
  readonly exporter: CadvisorExporter
  readonly prometheus: PrometheusServer
  /** the cluster Prometheus' `host:port`, what a create request names as `prometheus` */
  readonly host: string
  readonly port: number
}

export interface PrometheusLab {
  readonly clusters: ReadonlyMap<string, ManagedCluster>
  /** a loopback server that answers every scrape 503: a managed cluster whose Prometheus is down */
  readonly unhealthy: { readonly host: string; readonly port: number }
  readonly central: PrometheusServer
  /**
   * Gives the central Prometheus exactly these scrape configs (a YAML list, the secret's value or
   * the rendered ScrapeConfigs) after the lab's global section, and reloads it. Throws before any
   * reload when a target is not one of the lab's clusters.
   */
  loadScrapeConfigs(listYaml: string): Promise<void>
  stop(): Promise<void>
}

/** Scrape and evaluation every second: the tests wait for data, and a second is plenty here. */
const GLOBAL = 'global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n'

const clusterConfig = (exporter: CadvisorExporter): string =>
  `${GLOBAL}scrape_configs:\n  - job_name: cadvisor\n    static_configs:\n      - targets: ['${exporter.address}']\n`

const indent = (text: string): string =>
  text
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n')

/** The central server's whole configuration: the global section, then the list as `scrape_configs`. */
export const centralConfig = (listYaml: string): string =>
  listYaml.trim() === '' || listYaml.trim() === '[]' ? `${GLOBAL}scrape_configs: []\n` : `${GLOBAL}scrape_configs:\n${indent(listYaml.trimEnd())}\n`

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value)

/** Every `static_configs[].targets[]` of a scrape-config list (unknown fields ignored). */
export const targetsOf = (listYaml: string): readonly string[] => {
  if (listYaml.trim() === '') return []
  const items: unknown = parse(listYaml)
  if (items === null || items === undefined) return []
  if (!Array.isArray(items)) throw new Error('the scrape configs are not a YAML list')
  return items.flatMap((item) => {
    if (!isRecord(item)) return []
    const statics: unknown = item['static_configs']
    if (Object.keys(item).some((key) => key.endsWith('_sd_configs'))) return ['<service discovery>']
    return Array.isArray(statics) ? statics.flatMap((s) => (isRecord(s) && Array.isArray(s['targets']) ? s['targets'].map(String) : [])) : []
  })
}

const startUnhealthy = async (): Promise<Server> => {
  const server = createServer((_req, res) => {
    res.writeHead(503, { 'content-type': 'text/plain' })
    res.end('Service Unavailable\n')
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, LOOPBACK, () => resolve())
  })
  return server
}

const closeServer = (server: Server | undefined): Promise<void> =>
  new Promise((resolve) => {
    if (server === undefined) return resolve()
    server.closeAllConnections()
    server.close(() => resolve())
  })

const startCluster = async (name: string, series: readonly ContainerSeries[]): Promise<ManagedCluster> => {
  const exporter = await startCadvisorExporter(series)
  try {
    const prometheus = await startPrometheusServer(clusterConfig(exporter))
    return { name, exporter, prometheus, host: '127.0.0.1', port: prometheus.port }
  } catch (error) {
    await exporter.stop()
    throw error
  }
}

export const startPrometheusLab = async (clusters: Readonly<Record<string, readonly ContainerSeries[]>>): Promise<PrometheusLab> => {
  const started = new Map<string, ManagedCluster>()
  let central: PrometheusServer | undefined
  let unhealthy: Server | undefined
  const stop = async (): Promise<void> => {
    await Promise.all([central?.stop(), closeServer(unhealthy), ...[...started.values()].flatMap((c) => [c.prometheus.stop(), c.exporter.stop()])])
  }
  try {
    unhealthy = await startUnhealthy()
    const entries = Object.entries(clusters)
    const results = await Promise.all(entries.map(([name, series]) => startCluster(name, series)))
    for (const cluster of results) started.set(cluster.name, cluster)
    central = await startPrometheusServer(centralConfig(''))
  } catch (error) {
    await stop()
    throw error
  }
  const unhealthyPort = (unhealthy.address() as AddressInfo).port
  const allowed = new Set([...[...started.values()].map((c) => c.prometheus.address), `${LOOPBACK}:${unhealthyPort}`])
  const centralServer = central
  return {
    clusters: started,
    unhealthy: { host: LOOPBACK, port: unhealthyPort },
    central: centralServer,
    loadScrapeConfigs: async (listYaml) => {
      const foreign = targetsOf(listYaml).filter((target) => !allowed.has(target))
      if (foreign.length > 0)
        throw new Error(`refusing to let a real Prometheus scrape ${foreign.join(', ')}: only this lab's clusters (${[...allowed].join(', ')})`)
      await centralServer.reload(centralConfig(listYaml))
    },
    stop,
  }
}
