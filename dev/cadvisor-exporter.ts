/**
 * A tiny exporter of cAdvisor-style container series, the ones the metrics dashboards read, for a
 * "managed cluster" Prometheus to scrape in the tests and the local stack. Every value is known
 * in advance: memory is constant, and each counter grows at a constant rate from the exporter's
 * start, so `rate()` over any window gives exactly that rate.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { LOOPBACK } from './free-port.js'

export interface ContainerSeries {
  readonly namespace: string
  readonly pod: string
  /** '' for a cgroup-hierarchy series, as cAdvisor reports next to real containers */
  readonly container: string
  readonly image: string
  readonly memoryBytes: number
  readonly cpuCoresPerSecond: number
  readonly receiveBytesPerSecond: number
  readonly transmitBytesPerSecond: number
  /** more labels, e.g. a `hypo_service_id` the cluster sets itself */
  readonly extraLabels?: Readonly<Record<string, string>>
}

export interface CadvisorExporter {
  readonly address: string
  stop(): Promise<void>
}

const labelText = (s: ContainerSeries): string =>
  Object.entries({ namespace: s.namespace, pod: s.pod, container: s.container, image: s.image, ...s.extraLabels })
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
    .join(',')

/** The Prometheus text exposition of every series at `seconds` after the start. */
export const exposition = (series: readonly ContainerSeries[], seconds: number): string => {
  const families: ReadonlyArray<readonly [string, 'gauge' | 'counter', (s: ContainerSeries) => number]> = [
    ['container_memory_working_set_bytes', 'gauge', (s) => s.memoryBytes],
    ['container_cpu_usage_seconds_total', 'counter', (s) => s.cpuCoresPerSecond * seconds],
    ['container_network_receive_bytes_total', 'counter', (s) => s.receiveBytesPerSecond * seconds],
    ['container_network_transmit_bytes_total', 'counter', (s) => s.transmitBytesPerSecond * seconds],
  ]
  return (
    families.map(([name, type, value]) => [`# TYPE ${name} ${type}`, ...series.map((s) => `${name}{${labelText(s)}} ${value(s)}`)].join('\n')).join('\n') + '\n'
  )
}

export const startCadvisorExporter = async (series: readonly ContainerSeries[]): Promise<CadvisorExporter> => {
  const started = Date.now()
  const server = createServer((req, res) => {
    const body = exposition(series, (Date.now() - started) / 1000)
    res.writeHead(req.url === '/metrics' ? 200 : 404, { 'content-type': 'text/plain; version=0.0.4' })
    res.end(req.url === '/metrics' ? body : 'not found\n')
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, LOOPBACK, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    address: `${LOOPBACK}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
