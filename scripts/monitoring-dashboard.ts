/**
 * The Telemetry Client's own Grafana dashboard (deploy/monitoring/telemetry-client-dashboard.json),
 * built with the Grafana Foundation SDK like the service's dashboards. The JSON is committed so
 * operators import it without Node; a unit test keeps it equal to what this script builds.
 *
 *   node --import=tsx scripts/monitoring-dashboard.ts     # rewrites the JSON
 *
 * Metric names: src/runtime/metrics.ts.
 */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard'
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus'
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const DASHBOARD_PATH = fileURLToPath(new URL('../deploy/monitoring/telemetry-client-dashboard.json', import.meta.url))

// the Prometheus that scrapes the service is chosen when the dashboard is imported
const datasource = { type: 'prometheus', uid: '${datasource}' }

interface PanelSpec {
  readonly title: string
  readonly description: string
  readonly unit: string
  readonly queries: ReadonlyArray<readonly [expr: string, legend: string]>
}

const PANELS: readonly PanelSpec[] = [
  {
    title: 'Requests completed by kind and status',
    description: 'telemetry_requests_total: SUCCESS and FAILURE answers sent to SONATA',
    unit: 'reqps',
    queries: [['sum by (kind, status) (rate(telemetry_requests_total[$__rate_interval]))', '{{kind}} {{status}}']],
  },
  {
    title: 'Requests received by outcome',
    description: 'telemetry_requests_received_total: accepted (new), redelivered (already known), rejected (dead-lettered)',
    unit: 'reqps',
    queries: [['sum by (outcome) (rate(telemetry_requests_received_total[$__rate_interval]))', '{{outcome}}']],
  },
  {
    title: 'Step latency (p50 / p95)',
    description: 'telemetry_step_duration_seconds per step',
    unit: 's',
    queries: [
      ['histogram_quantile(0.5, sum by (le, step) (rate(telemetry_step_duration_seconds_bucket[$__rate_interval])))', 'p50 {{step}}'],
      ['histogram_quantile(0.95, sum by (le, step) (rate(telemetry_step_duration_seconds_bucket[$__rate_interval])))', 'p95 {{step}}'],
    ],
  },
  {
    title: 'Request latency p95 (published → answered)',
    description: 'telemetry_request_duration_seconds',
    unit: 's',
    queries: [['histogram_quantile(0.95, sum by (le, kind) (rate(telemetry_request_duration_seconds_bucket[$__rate_interval])))', '{{kind}}']],
  },
  {
    title: 'Secret writes and conflicts',
    description: 'telemetry_secret_writes_total and telemetry_secret_conflicts_total (409, retried)',
    unit: 'wps',
    queries: [
      ['sum(rate(telemetry_secret_writes_total[$__rate_interval]))', 'writes'],
      ['sum(rate(telemetry_secret_conflicts_total[$__rate_interval]))', 'conflicts'],
    ],
  },
  {
    title: 'Secret size against its limit',
    description: 'telemetry_secret_bytes / telemetry_secret_limit_bytes (Kubernetes 1 MiB object limit)',
    unit: 'percentunit',
    queries: [['max(telemetry_secret_bytes) / max(telemetry_secret_limit_bytes)', 'used']],
  },
  {
    title: 'Open lanes',
    description: 'telemetry_open_lanes: services being worked on (bounded by MAX_PARALLEL_SERVICES)',
    unit: 'short',
    queries: [['sum by (pod) (telemetry_open_lanes)', '{{pod}}']],
  },
  {
    title: 'Consumer lag',
    description: 'telemetry_consumer_lag: requests waiting in Kafka behind the committed offset',
    unit: 'short',
    queries: [['sum by (topic) (telemetry_consumer_lag)', '{{topic}}']],
  },
  {
    title: 'Dead letters and consumer restarts',
    description: 'telemetry_dead_letter_total and telemetry_kafka_consumer_restarts_total',
    unit: 'short',
    queries: [
      ['sum(increase(telemetry_dead_letter_total[$__rate_interval]))', 'dead letters'],
      ['sum(increase(telemetry_kafka_consumer_restarts_total[$__rate_interval]))', 'consumer restarts'],
    ],
  },
]

const panelOf = (spec: PanelSpec, index: number): timeseries.PanelBuilder => {
  const panel = new timeseries.PanelBuilder()
    .id(index + 1)
    .title(spec.title)
    .description(spec.description)
    .datasource(datasource)
    .unit(spec.unit)
    .height(8)
    .span(12)
  spec.queries.forEach(([expr, legend], q) =>
    panel.withTarget(
      new prometheus.DataqueryBuilder()
        .refId(String.fromCharCode(65 + q))
        .datasource(datasource)
        .expr(expr)
        .legendFormat(legend)
        .range(),
    ),
  )
  return panel
}

/** The dashboard as plain JSON, exactly what is committed. */
export const buildServiceDashboard = (): Record<string, unknown> => {
  const builder = new dashboard.DashboardBuilder('Telemetry Client')
    .uid('telemetry-client-self')
    .tags(['etsi-hypo-telemetry', 'telemetry-client'])
    .description("The ETSI HypO Telemetry Client's own metrics (src/runtime/metrics.ts). Alerts: deploy/monitoring/prometheusrule.yaml.")
    .time({ from: 'now-6h', to: 'now' })
    .refresh('1m')
    .withVariable(new dashboard.DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus'))
  PANELS.forEach((spec, index) => builder.withPanel(panelOf(spec, index)))
  const plain = JSON.parse(JSON.stringify(builder.build())) as Record<string, unknown>
  // Grafana's legacy model reads `annotations.list`; the SDK leaves the section empty
  return { ...plain, annotations: { list: [] } }
}

export const renderServiceDashboard = (): string => `${JSON.stringify(buildServiceDashboard(), null, 2)}\n`

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) writeFileSync(DASHBOARD_PATH, renderServiceDashboard())
