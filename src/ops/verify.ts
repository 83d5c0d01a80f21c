/**
 * `telemetry-client verify <serviceId>`: the chain an operator checks by hand when a service's
 * dashboard is empty, link by link, reading only: the event log (what the service believes), the
 * job or ScrapeConfig in place and owned, the datasources and dashboards in Grafana, then —
 * through Grafana's data source proxy — the job's target in the central Prometheus, each metrics
 * panel's query, and each logs query in Loki. Each link is one check in the doctor's shape; a
 * link that cannot be checked because an earlier one is broken is left out, not failed twice.
 */
import * as t from 'io-ts'
import { isLeft } from 'fp-ts/lib/Either.js'
import type { CreateDashboardRequest } from '../codecs/requests.js'
import type { DashboardRole } from '../codecs/dashboard-role.js'
import { decodeBody } from '../codecs/apis/grafana.js'
import { logsQuery, metricPanels } from '../effects/grafana/dashboards.js'
import { jobOf } from '../effects/desired-state.js'
import { datasourceCheck } from '../effects/grafana/grafana-doctor-probe.js'
import type { GrafanaTransport } from '../effects/grafana/grafana-transport.js'
import { jobFingerprint, targetAddress } from '../effects/prometheus/scrape-job.js'
import { verifyDashboard, type DashboardQuery } from '../effects/verify/verify-dashboards.js'
import { verifyLokiQuery } from '../effects/verify/verify-loki.js'
import { verifyPrometheus } from '../effects/verify/verify-prometheus.js'
import type { ExpectedJob } from '../effects/verify/verify-scrape-job.js'
import { fold } from '../state/evolve.js'
import { initialServiceState, type ServiceState } from '../state/service-state.js'
import type { StoredEvent } from '../state/store/event-store.js'
import { checkFail, checkOk, checkWarning, type DoctorCheck } from '../support/doctor-check.js'
import type { DoctorReport } from './doctor/doctor-report.js'
import { completedRequests } from './reconcile/repair-drift.js'

export interface VerifyDeps {
  readonly readEvents: (serviceId: string) => Promise<readonly StoredEvent[]>
  readonly checkJob: (expected: ExpectedJob) => Promise<DoctorCheck>
  readonly grafana: GrafanaTransport
  readonly datasources: { readonly prometheusDatasourceUid: string; readonly lokiDatasourceUid: string; readonly lokiServiceLabel?: string | undefined }
  /** what to do when the central Prometheus has no target for the job: depends on the backend */
  readonly missingTargetAction: string
  /** `$__rate_interval` for the panel queries */
  readonly rateInterval: string
  readonly now: () => Date
}

const ResultData = t.type({ data: t.partial({ dashboardDataOrderMessage: t.string }) })

const eventLogChecks = (state: ServiceState): readonly DoctorCheck[] => {
  const service =
    state.status === 'active'
      ? checkOk('eventlog.service', `active (version ${state.version}, last change ${state.lastChangeAt ?? 'never'})`)
      : state.status === 'new'
        ? checkWarning('eventlog.service', 'its first request is still in progress', `telemetry-client inspect ${state.serviceId} shows the step it is on`)
        : checkFail(
            'eventlog.service',
            `status ${state.status} (last change ${state.lastChangeAt ?? 'never'})`,
            `telemetry-client inspect ${state.serviceId} shows why`,
          )
  const pending = state.pending.map((p) => {
    const failure =
      p.failure === null
        ? ''
        : p.failure.retryAt === undefined
          ? `, failed at ${p.failure.step}: ${p.failure.reason}`
          : `, waiting until ${p.failure.retryAt} to retry ${p.failure.step}: ${p.failure.reason}`
    return checkWarning(
      'eventlog.pending',
      `${p.request.kind} request ${p.requestId} accepted ${p.acceptedAt} is in progress${failure}`,
      `wait for it; telemetry-client inspect ${state.serviceId}`,
    )
  })
  const last = state.completed[state.completed.length - 1]
  if (last === undefined) return [service, ...pending]
  const decoded = decodeBody(ResultData, last.result.value)
  const message = isLeft(decoded) ? '' : (decoded.right.data.dashboardDataOrderMessage ?? '')
  const result =
    last.status === 'SUCCESS'
      ? checkOk('eventlog.last-result', `request ${last.requestId} answered SUCCESS`)
      : checkFail(
          'eventlog.last-result',
          `request ${last.requestId} answered FAILURE: ${message}`,
          'see the runbook\'s "What every FAILURE message means"; fix the cause and re-send the request',
        )
  return [service, ...pending, result]
}

/** The create that produced the job in place (its fingerprint), or the newest create. */
const sourceCreate = (events: readonly StoredEvent[], state: ServiceState): CreateDashboardRequest | undefined => {
  const creates = completedRequests(events).flatMap((s) => (s.request.kind === 'create' ? [s.request.payload] : []))
  return creates.find((p) => jobFingerprint(jobOf(p)) === state.job?.fingerprint) ?? creates[0]
}

const namespacesFor = (events: readonly StoredEvent[], role: DashboardRole): readonly string[] => {
  const wanted = role === 'platform' ? 'platform' : 'create'
  for (const s of completedRequests(events)) if (s.request.kind === wanted) return s.request.payload.namespaces
  return []
}

const datasourceAnswer = (transport: GrafanaTransport, uid: string) =>
  transport.send(
    { kind: 'datasource.get', operation: `verify datasource ${uid}`, method: 'get', path: `api/datasources/uid/${encodeURIComponent(uid)}` },
    { maxRetries: 1, queued: false },
  )

export const verifyService = async (serviceId: string, deps: VerifyDeps): Promise<DoctorReport> => {
  const events = await deps.readEvents(serviceId)
  if (events.length === 0)
    return { checks: [checkFail('eventlog.service', `no events for service ${serviceId}`, 'check the serviceId: telemetry-client list')] }
  const state = fold(
    initialServiceState(serviceId),
    events.map((e) => e.event),
  )
  const checks: DoctorCheck[] = [...eventLogChecks(state)]
  if (state.status === 'deleted' || state.status === 'failed') return { checks }

  const create = sourceCreate(events, state)
  const target = create === undefined ? undefined : targetAddress(create.prometheus.host, create.prometheus.port)
  if (state.job !== null) {
    checks.push(await deps.checkJob({ serviceId, fingerprint: state.job.fingerprint, target: target ?? 'unknown' }))
  } else {
    checks.push(
      state.dashboards.metrics === undefined
        ? checkOk('scrape.job', 'none expected: the service has no metrics dashboard (a platform service: logs only)')
        : checkFail('scrape.job', 'the event log records no job, but a metrics dashboard', `telemetry-client inspect ${serviceId}; re-send the create request`),
    )
  }

  const roles = (['metrics', 'logs', 'platform'] as const).filter((role) => state.dashboards[role] !== undefined)
  const { prometheusDatasourceUid, lokiDatasourceUid } = deps.datasources
  const needs = [
    ...(roles.includes('metrics') ? [{ role: 'Prometheus', variable: 'GRAFANA_PROMETHEUS_DATASOURCE_UID', uid: prometheusDatasourceUid }] : []),
    ...(roles.some((r) => r !== 'metrics') ? [{ role: 'Loki', variable: 'GRAFANA_LOKI_DATASOURCE_UID', uid: lokiDatasourceUid }] : []),
  ]
  const datasourceOk = new Set<string>()
  for (const d of needs) {
    const check = datasourceCheck(d.role, d.variable, d.uid, await datasourceAnswer(deps.grafana, d.uid))
    if (check.status !== 'fail') datasourceOk.add(d.role)
    checks.push(check)
  }

  const queries = new Map<DashboardRole, readonly DashboardQuery[]>()
  for (const role of roles) {
    const finding = await verifyDashboard(deps.grafana, serviceId, role, role === 'metrics' ? prometheusDatasourceUid : lokiDatasourceUid)
    checks.push(finding.check)
    queries.set(role, finding.queries)
  }

  if (roles.includes('metrics') && datasourceOk.has('Prometheus')) {
    const namespaces = create?.namespaces ?? namespacesFor(events, 'metrics')
    const saved = queries.get('metrics') ?? []
    // a deleted dashboard is reported above; its queries are still checked, as the service would write them
    const panels = saved.length > 0 ? saved : metricPanels(serviceId, namespaces)
    checks.push(
      ...(await verifyPrometheus(deps.grafana, {
        serviceId,
        datasourceUid: prometheusDatasourceUid,
        target: target ?? 'unknown',
        namespaces,
        panels,
        rateInterval: deps.rateInterval,
        missingTargetAction: deps.missingTargetAction,
      })),
    )
  }
  if (datasourceOk.has('Loki')) {
    for (const role of roles.filter((r) => r !== 'metrics')) {
      const saved = queries.get(role) ?? []
      const label = deps.datasources.lokiServiceLabel
      const exprs =
        saved.length > 0
          ? saved.map((q) => q.expr)
          : [logsQuery(namespacesFor(events, role), label === undefined ? undefined : { serviceLabel: label, serviceId })]
      for (const expr of exprs) checks.push(await verifyLokiQuery(deps.grafana, lokiDatasourceUid, role, expr, deps.now()))
    }
  }
  return { checks }
}
