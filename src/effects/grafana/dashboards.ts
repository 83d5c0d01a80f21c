/**
 * The Grafana dashboard models (legacy JSON, for `POST /api/dashboards/db`) of one service:
 * app metrics, end-user service logs and platform service logs.
 *
 * Built with the Grafana Foundation SDK so panel and query shapes come from Grafana's own schema,
 * then flattened to plain JSON. Everything that identifies a dashboard (uid, tags, title) is
 * derived from the serviceId, so creating the same dashboard again overwrites it in place, and
 * every namespace goes through `namespaceSelector` (regex-escaped, then quoted).
 */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard'
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries'
import * as logs from '@grafana/grafana-foundation-sdk/logs'
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus'
import * as loki from '@grafana/grafana-foundation-sdk/loki'
import * as common from '@grafana/grafana-foundation-sdk/common'
import type { DashboardRole } from '../../codecs/dashboard-role.js'
import { MANAGED_TAG, dashboardUid, serviceTag, titleDiscriminator } from './dashboard-uids.js'
import { logqlString, namespaceSelector, tenantMatcher } from '../prometheus/promql.js'

export interface DashboardInput {
  readonly serviceId: string
  readonly namespaces: readonly string[]
  readonly prometheusDatasourceUid: string
  readonly lokiDatasourceUid: string
  /** LOKI_SERVICE_LABEL: the Loki stream label that holds the serviceId; unset = namespaces only */
  readonly lokiServiceLabel?: string | undefined
}

export interface MetricPanel {
  readonly title: string
  readonly expr: string
  readonly unit?: string
}

/**
 * The four panels the spec asks for (kubernetes-mixin queries), per namespace. `container!=""`
 * and `image!=""` drop the cgroup-hierarchy duplicates cAdvisor reports next to real containers.
 * Every selector also carries the tenant label the service's job stamps on its series, so a second
 * service with the same namespace names never shows up here.
 */
export const metricPanels = (serviceId: string, namespaces: readonly string[]): readonly MetricPanel[] => {
  const sel = `${tenantMatcher(serviceId)},${namespaceSelector(namespaces)}`
  const network = (direction: 'receive' | 'transmit'): string =>
    `sum by (namespace) (rate(container_network_${direction}_bytes_total{${sel}}[$__rate_interval])) * 8 / 1000000`
  return [
    { title: 'Memory Usage', expr: `sum by (namespace) (container_memory_working_set_bytes{${sel},container!="",image!=""})`, unit: 'bytes' },
    { title: 'CPU Usage', expr: `sum by (namespace) (rate(container_cpu_usage_seconds_total{${sel},container!="",image!=""}[$__rate_interval]))` },
    { title: 'Network Received (Mbit/s)', expr: network('receive'), unit: 'Mbits' },
    { title: 'Network Transmitted (Mbit/s)', expr: network('transmit'), unit: 'Mbits' },
  ]
}

/**
 * The Loki stream selector for the service's namespaces and, when the central Loki labels streams
 * with the cluster/service identity (`serviceLabel`, from LOKI_SERVICE_LABEL), that label = the
 * serviceId. Without it the query assumes one Loki per tenant (or namespaces unique across
 * tenants): the labels Loki has are the only thing a query can select on.
 */
export const logsQuery = (namespaces: readonly string[], tenant?: { readonly serviceLabel: string; readonly serviceId: string }): string =>
  tenant === undefined ? `{${namespaceSelector(namespaces)}}` : `{${namespaceSelector(namespaces)},${tenant.serviceLabel}=${logqlString(tenant.serviceId)}}`

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value)

/**
 * The SDK's objects are plain data, but may hold `undefined` fields; one JSON round trip gives
 * exactly what Grafana will receive, so tests and the HTTP body see the same thing. The SDK leaves
 * `annotations` and `templating` as `{}`; Grafana's legacy dashboard model reads `.list` from both,
 * so they get an explicit empty list.
 */
const toDashboardJson = (built: object): Record<string, unknown> => {
  const plain: unknown = JSON.parse(JSON.stringify(built))
  if (!isRecord(plain)) throw new TypeError('dashboard model is not a JSON object')
  const withList = (section: unknown): Record<string, unknown> =>
    isRecord(section) && Array.isArray(section['list']) ? section : { ...(isRecord(section) ? section : {}), list: [] }
  return { ...plain, annotations: withList(plain['annotations']), templating: withList(plain['templating']) }
}

/**
 * What all three dashboards share: fixed uid (idempotent overwrite), a title unique per folder in
 * any case (`titleDiscriminator`), tags, time range.
 */
const baseDashboard = (serviceId: string, role: DashboardRole, title: string): dashboard.DashboardBuilder =>
  new dashboard.DashboardBuilder(`${title}${titleDiscriminator(serviceId)}`)
    .id(null)
    .uid(dashboardUid(serviceId, role))
    .tags([MANAGED_TAG, serviceTag(serviceId)])
    .description(`Managed by the ETSI HypO Telemetry Client for service ${serviceId}; manual changes are overwritten.`)
    .time({ from: 'now-6h', to: 'now' })
    .refresh('30s')

export const metricsDashboard = (input: DashboardInput): Record<string, unknown> => {
  const datasource = { type: 'prometheus', uid: input.prometheusDatasourceUid }
  const legend = new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom)
  const builder = baseDashboard(input.serviceId, 'metrics', `App Metrics — ${input.serviceId}`)
  metricPanels(input.serviceId, input.namespaces).forEach((panel, index) => {
    const query = new prometheus.DataqueryBuilder().refId('A').datasource(datasource).expr(panel.expr).legendFormat('{{namespace}}').range()
    const timeseriesPanel = new timeseries.PanelBuilder()
      .id(index + 1)
      .title(panel.title)
      .datasource(datasource)
      .withTarget(query)
      .legend(legend)
      .height(9)
      .span(12)
    builder.withPanel(panel.unit === undefined ? timeseriesPanel : timeseriesPanel.unit(panel.unit))
  })
  return toDashboardJson(builder.build())
}

const lokiTenant = (input: DashboardInput) =>
  input.lokiServiceLabel === undefined ? undefined : { serviceLabel: input.lokiServiceLabel, serviceId: input.serviceId }

const logsModel = (input: DashboardInput, role: 'logs' | 'platform', title: string): Record<string, unknown> => {
  const datasource = { type: 'loki', uid: input.lokiDatasourceUid }
  const query = new loki.DataqueryBuilder()
    .refId('A')
    .datasource(datasource)
    .expr(logsQuery(input.namespaces, lokiTenant(input)))
  const panel = new logs.PanelBuilder()
    .id(1)
    .title(title)
    .datasource(datasource)
    .withTarget(query)
    .showTime(true)
    .wrapLogMessage(true)
    .enableLogDetails(true)
    .sortOrder(common.LogsSortOrder.Descending)
    .height(20)
    .span(24)
  return toDashboardJson(baseDashboard(input.serviceId, role, title).withPanel(panel).build())
}

/** End-user service logs (folder "ETSI HypO End-User Service Logs"). */
export const logsDashboard = (input: DashboardInput): Record<string, unknown> => logsModel(input, 'logs', `Service Logs — ${input.serviceId}`)

/**
 * Platform service logs (folder "ETSI HypO Platform Service Logs"). A friendly name goes in the
 * title, but the serviceId stays in it too: Grafana rejects two dashboards with the same title in
 * one folder (412 name-exists), and names need not be unique.
 */
export const platformLogsDashboard = (input: DashboardInput & { readonly serviceName?: string }): Record<string, unknown> => {
  const name = input.serviceName === undefined || input.serviceName === input.serviceId ? input.serviceId : `${input.serviceName} (${input.serviceId})`
  return logsModel(input, 'platform', `Platform Service Logs — ${name}`)
}
