/**
 * The run's real Prometheus servers (dev/prometheus-lab.ts), started lazily by the first spec
 * that asks and stopped by the global teardown, like the Redis Cluster: two "managed clusters"
 * with known cAdvisor-style series and one "central" Prometheus the specs load the service's
 * scrape configs into. Plus what a spec needs to compare: the values each panel must show,
 * queries by namespace, the central's targets, and a wait-for-condition helper.
 *
 * The series: both clusters have a `default` namespace (two tenants, same namespace name,
 * different data); east has a container that claims tenant-b's `hypo_service_id` itself (the
 * job's relabel rule must override it), a cgroup-hierarchy series (`container=""`, left out by
 * the memory and CPU panels) and a namespace no tenant asks for.
 */
import type { ContainerSeries } from '../../dev/cadvisor-exporter.js'
import { startPrometheusLab, type ManagedCluster, type PrometheusLab } from '../../dev/prometheus-lab.js'
import type { PrometheusServer } from '../../dev/prometheus-server.js'
import { useHarness, type HarnessContext } from './harness-hooks.js'
import type { PollOptions } from './wait.js'

const MB = 1024 * 1024
const container = (
  namespace: string,
  pod: string,
  name: string,
  image: string,
  memoryMb: number,
  cpu: number,
  rxBytes: number,
  txBytes: number,
  extraLabels?: Record<string, string>,
): ContainerSeries => ({
  namespace,
  pod,
  container: name,
  image,
  memoryBytes: memoryMb * MB,
  cpuCoresPerSecond: cpu,
  receiveBytesPerSecond: rxBytes,
  transmitBytesPerSecond: txBytes,
  ...(extraLabels === undefined ? {} : { extraLabels }),
})

export const LAB_SERIES: Readonly<Record<'east' | 'west', readonly ContainerSeries[]>> = {
  east: [
    container('shop', 'web-1', 'web', 'nginx:1.27', 100, 0.25, 125_000, 250_000),
    container('shop', 'web-1', '', '', 999, 9, 0, 0),
    container('shop', 'spoof-1', 'spoof', 'evil:1', 7, 0.07, 7_000, 7_000, { hypo_service_id: 'tenant-b' }),
    container('default', 'api-1', 'api', 'api:1', 200, 0.5, 250_000, 125_000),
    container('unrequested', 'x-1', 'x', 'x:1', 50, 0.1, 1_000, 1_000),
  ],
  west: [container('billing', 'pay-1', 'pay', 'pay:1', 300, 0.75, 62_500, 62_500), container('default', 'db-1', 'db', 'postgres:16', 400, 1, 500_000, 375_000)],
}

let lab: Promise<PrometheusLab> | undefined

/** The run's lab, started on first use. */
export const sharedPrometheusLab = (): Promise<PrometheusLab> => {
  lab ??= startPrometheusLab(LAB_SERIES)
  return lab
}

export const stopSharedPrometheusLab = async (): Promise<void> => {
  const started = lab
  lab = undefined
  // a lab that failed to start has already stopped what it started, and its spec has failed
  const running = await started?.catch(() => undefined)
  await running?.stop()
}

export const clusterOf = (l: PrometheusLab, name: 'east' | 'west'): ManagedCluster => {
  const cluster = l.clusters.get(name)
  if (cluster === undefined) throw new Error(`no cluster ${name} in the lab`)
  return cluster
}

/** The panel titles the metrics dashboard has, in order, and what each sums per namespace. */
const PANEL_VALUE: Readonly<Record<string, { readonly of: (s: ContainerSeries) => number; readonly realContainersOnly: boolean }>> = {
  'Memory Usage': { of: (s) => s.memoryBytes, realContainersOnly: true },
  'CPU Usage': { of: (s) => s.cpuCoresPerSecond, realContainersOnly: true },
  'Network Received (Mbit/s)': { of: (s) => (s.receiveBytesPerSecond * 8) / 1_000_000, realContainersOnly: false },
  'Network Transmitted (Mbit/s)': { of: (s) => (s.transmitBytesPerSecond * 8) / 1_000_000, realContainersOnly: false },
}

/** What the panel titled `title` must show for these namespaces of this cluster: namespace → value. */
export const expectedPanelValues = (cluster: 'east' | 'west', namespaces: readonly string[], title: string): ReadonlyMap<string, number> => {
  const panel = PANEL_VALUE[title]
  if (panel === undefined) throw new Error(`unknown panel ${title}`)
  const sums = new Map<string, number>()
  for (const s of LAB_SERIES[cluster]) {
    if (!namespaces.includes(s.namespace)) continue
    if (panel.realContainersOnly && (s.container === '' || s.image === '')) continue
    sums.set(s.namespace, (sums.get(s.namespace) ?? 0) + panel.of(s))
  }
  return sums
}

interface VectorSample {
  readonly metric: Record<string, string>
  readonly value: readonly [number, string]
}
interface QueryAnswer {
  readonly status: string
  readonly data?: { readonly result?: readonly VectorSample[] }
  readonly error?: string
}

/** An instant query on the server; each sample's labels and value. Throws on a refused query. */
export const instantQuery = async (
  server: PrometheusServer,
  expr: string,
  /** evaluation time, Unix seconds; the server's now when absent */
  at?: number,
): Promise<ReadonlyArray<{ readonly labels: Readonly<Record<string, string>>; readonly value: number }>> => {
  const answer = (await server.get('/api/v1/query', at === undefined ? { query: expr } : { query: expr, time: at.toFixed(3) })) as QueryAnswer
  if (answer.status !== 'success') throw new Error(`query refused: ${answer.error ?? 'unknown error'}: ${expr}`)
  return (answer.data?.result ?? []).map((s) => ({ labels: s.metric, value: Number(s.value[1]) }))
}

/**
 * How far behind now a panel is read. The central server's newest federated sample trails now by
 * up to a scrape plus a federation (1 s each, more on a busy machine); when that gap is wider than
 * rate()'s extrapolation allows, a `rate(...[10s])` read at now comes out short (9% was seen in CI).
 * Read a little in the past, the window is covered by samples at both ends.
 */
export const SETTLED_READ_S = 3

/** A `sum by (namespace)` query's answer as namespace → value, evaluated SETTLED_READ_S ago. */
export const byNamespace = async (server: PrometheusServer, expr: string): Promise<ReadonlyMap<string, number>> =>
  new Map((await instantQuery(server, expr, Date.now() / 1000 - SETTLED_READ_S)).map((s) => [s.labels['namespace'] ?? '', s.value]))

interface TargetsAnswer {
  readonly data: {
    readonly activeTargets: ReadonlyArray<{ readonly scrapePool: string; readonly scrapeUrl: string; readonly health: string; readonly lastError: string }>
  }
}

/** The central server's active targets: scrape pool (job name), URL, health. */
export const activeTargets = async (
  server: PrometheusServer,
): Promise<ReadonlyArray<{ readonly job: string; readonly url: string; readonly health: string; readonly lastError: string }>> => {
  const answer = (await server.get('/api/v1/targets', { state: 'active' })) as TargetsAnswer
  return answer.data.activeTargets.map((t) => ({ job: t.scrapePool, url: t.scrapeUrl, health: t.health, lastError: t.lastError }))
}

/** True when every expected namespace is there with a value within 2% of the expected, and no other. */
export const matchesValues = (actual: ReadonlyMap<string, number>, expected: ReadonlyMap<string, number>): boolean =>
  actual.size === expected.size &&
  [...expected].every(([namespace, value]) => {
    const got = actual.get(namespace)
    return got !== undefined && Math.abs(got - value) <= Math.abs(value) * 0.02 + 1e-9
  })

/** How long the lab's checks wait: a scrape, a federation and a rate window. */
export const labPatience: PollOptions = { timeoutMs: 45_000, everyMs: 500, retryErrors: true }

export interface LabHarnessContext extends HarnessContext {
  readonly lab: PrometheusLab
}

/**
 * The shared lab first, then a harness whose Grafana has the lab's central Prometheus (and a Loki)
 * as data sources: its data source proxy answers the panels' queries from the central server.
 */
export const useLabHarness = (env: Readonly<Record<string, string>>): LabHarnessContext => {
  let lab: PrometheusLab | undefined
  const started = (): PrometheusLab => {
    if (lab === undefined) throw new Error('useLabHarness: used before its before() hook ran')
    return lab
  }
  before(async () => {
    lab = await sharedPrometheusLab()
  })
  const ctx = useHarness({
    harness: () => ({
      env: { ...env },
      grafana: {
        datasources: [
          { uid: 'prometheus', name: 'Prometheus', type: 'prometheus', url: started().central.url },
          { uid: 'loki', name: 'Loki', type: 'loki' },
        ],
      },
    }),
  })
  return {
    get lab() {
      return started()
    },
    get harness() {
      return ctx.harness
    },
    get results() {
      return ctx.results
    },
  }
}
