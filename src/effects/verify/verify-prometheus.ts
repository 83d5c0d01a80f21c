/**
 * `verify`'s links in the central Prometheus, read through Grafana's data source proxy: the
 * service's target (found by the `serviceId` label its job puts on the target, so the secret's
 * job and the Operator's `scrapeConfig/<ns>/<name>` job are found alike) and its health, then
 * each metrics panel's query as the dashboard holds it, with Grafana's variables substituted.
 *
 * An empty panel is "no data yet" (a warning) while the job has not been scraped twice within
 * the rate window (a rate needs two samples); after that it is a failure: the cluster has no such
 * series for the service's namespaces.
 */
import { isLeft } from 'fp-ts/lib/Either.js'
import { decodeBody } from '../../codecs/apis/grafana.js'
import { ApiError, TargetsAnswer, VectorAnswer, type ActiveTarget, type VectorSample } from '../../codecs/apis/prometheus-api.js'
import { checkFail, checkOk, checkWarning, type DoctorCheck } from '../../support/doctor-check.js'
import { firstLine, proxyGet } from '../grafana/datasource-proxy.js'
import { substituteGrafanaVariables } from '../grafana/grafana-variables.js'
import type { GrafanaTransport } from '../grafana/grafana-transport.js'
import { promqlString } from '../prometheus/promql.js'

export interface PrometheusVerifyInput {
  readonly serviceId: string
  readonly datasourceUid: string
  /** the `host:port` the job scrapes, for the operator's next step */
  readonly target: string
  readonly namespaces: readonly string[]
  readonly panels: ReadonlyArray<{ readonly title: string; readonly expr: string }>
  /** `$__rate_interval` */
  readonly rateInterval: string
  /** what to do when the central Prometheus has no target for the job (depends on the backend) */
  readonly missingTargetAction: string
}

type TargetState = 'up' | 'down' | 'unknown' | 'missing' | 'unread'

const PROXY_ACTION = 'check the Prometheus datasource in Grafana (its URL, and that Grafana reaches it): Connections → Data sources → Test'

const proxyFailure = (name: string, status: number, text: string): DoctorCheck => {
  const error = decodeBody(ApiError, text)
  const detail = isLeft(error) ? firstLine(text) : (error.right.error ?? '')
  return checkFail(name, `the data source proxy answered ${status}${detail === '' ? '' : `: ${detail}`}`, PROXY_ACTION)
}

const targetCheck = (target: ActiveTarget | undefined, input: PrometheusVerifyInput): DoctorCheck => {
  const name = 'prometheus.target'
  if (target === undefined)
    return checkFail(name, `the central Prometheus has no target for service ${input.serviceId} (${input.target})`, input.missingTargetAction)
  const url = target.scrapeUrl.split('?')[0] ?? target.scrapeUrl
  if (target.health === 'up') return checkOk(name, `job ${target.scrapePool}: up, ${url}, last scrape ${target.lastScrape ?? 'unknown'}`)
  if (target.health === 'down')
    return checkFail(
      name,
      `job ${target.scrapePool}: down, ${url}: ${target.lastError ?? 'no error given'}`,
      `check that the managed cluster's Prometheus at ${input.target} answers /federate from the central Prometheus (network path, firewall, its own health)`,
    )
  return checkWarning(
    name,
    `job ${target.scrapePool}: not scraped yet (${url})`,
    `run verify again after one scrape interval${target.scrapeInterval === undefined ? '' : ` (${target.scrapeInterval})`}`,
  )
}

/** Whole numbers (bytes) as they are, fractions (cores, Mbit/s) to four decimals. */
const compact = (value: string): string => {
  const n = Number(value)
  return Number.isFinite(n) ? String(Number.isInteger(n) ? n : Number(n.toFixed(4))) : value
}

const seriesText = (samples: readonly VectorSample[]): string =>
  samples
    .map(
      (s) =>
        `${
          s.metric['namespace'] ??
          Object.entries(s.metric)
            .map(([k, v]) => `${k}=${v}`)
            .join(',')
        }=${compact(s.value[1])}`,
    )
    .sort()
    .join(', ')

const query = async (transport: GrafanaTransport, input: PrometheusVerifyInput, expr: string): Promise<{ readonly status: number; readonly text: string }> =>
  proxyGet(transport, input.datasourceUid, 'api/v1/query', { query: expr })

const scrapesInWindow = async (transport: GrafanaTransport, input: PrometheusVerifyInput): Promise<number> => {
  const answer = await query(transport, input, `max(count_over_time(up{serviceId=${promqlString(input.serviceId)}}[${input.rateInterval}]))`)
  const decoded = decodeBody(VectorAnswer, answer.text)
  if (answer.status !== 200 || isLeft(decoded)) return 0
  return Number(decoded.right.data.result[0]?.value[1] ?? 0)
}

const panelCheck = async (
  transport: GrafanaTransport,
  input: PrometheusVerifyInput,
  panel: { readonly title: string; readonly expr: string },
  state: TargetState,
  scrapes: () => Promise<number>,
): Promise<DoctorCheck> => {
  const name = `prometheus.panel ${panel.title}`
  const expr = substituteGrafanaVariables(panel.expr, { rateInterval: input.rateInterval })
  const answer = await query(transport, input, expr)
  if (answer.status === 400 || answer.status === 422)
    return checkFail(
      name,
      `Prometheus refused the query: ${firstLine(answer.text)}`,
      "the dashboard's query is wrong: re-create the dashboard (reconcile) or report it",
    )
  const decoded = decodeBody(VectorAnswer, answer.text)
  if (answer.status !== 200 || isLeft(decoded)) return proxyFailure(name, answer.status, answer.text)
  const samples = decoded.right.data.result
  if (samples.length > 0) return checkOk(name, `${samples.length} series: ${seriesText(samples)}`)
  const selector = `{namespace=~"${input.namespaces.join('|')}"}`
  if (state === 'missing' || state === 'down')
    return checkFail(
      name,
      `no series: the job is ${state === 'missing' ? 'not in the central Prometheus' : 'down'} (prometheus.target)`,
      'fix prometheus.target first',
    )
  const seen = state === 'up' ? await scrapes() : 0
  if (seen < 2)
    return checkWarning(
      name,
      `no data yet: the job was scraped ${seen} time(s) in the last ${input.rateInterval}; a rate needs two`,
      `run verify again in ${input.rateInterval}`,
    )
  return checkFail(
    name,
    `no series for namespaces ${input.namespaces.join(', ')}: the job is up, but the managed cluster sends nothing this query selects`,
    `check that these namespaces run containers on the managed cluster: query ${selector} on its Prometheus (${input.target}), e.g. container_memory_working_set_bytes${selector}`,
  )
}

export const verifyPrometheus = async (transport: GrafanaTransport, input: PrometheusVerifyInput): Promise<readonly DoctorCheck[]> => {
  const answer = await proxyGet(transport, input.datasourceUid, 'api/v1/targets', { state: 'active' })
  const decoded = decodeBody(TargetsAnswer, answer.text)
  if (answer.status !== 200 || isLeft(decoded)) return [proxyFailure('prometheus.target', answer.status, answer.text)]
  const target = decoded.right.data.activeTargets.find((t) => t.labels['serviceId'] === input.serviceId)
  const state: TargetState = target === undefined ? 'missing' : target.health === 'up' || target.health === 'down' ? target.health : 'unknown'
  let counted: Promise<number> | undefined
  const scrapes = (): Promise<number> => (counted ??= scrapesInWindow(transport, input))
  const panels: DoctorCheck[] = []
  for (const panel of input.panels) panels.push(await panelCheck(transport, input, panel, state, scrapes))
  return [targetCheck(target, input), ...panels]
}
