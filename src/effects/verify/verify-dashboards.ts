/**
 * `verify`'s Grafana dashboard links: each dashboard the log says the service has is in Grafana
 * under its fixed uid, in the folder the service saves it in, and queries the configured
 * datasource. The queries it holds are returned too: the Prometheus and Loki checks run exactly
 * what the dashboard shows, not what the service would generate today.
 */
import * as t from 'io-ts'
import { isLeft } from 'fp-ts/lib/Either.js'
import type { DashboardRole } from '../../codecs/dashboard-role.js'
import { DashboardResponse, decodeBody } from '../../codecs/apis/grafana.js'
import { checkFail, checkOk, checkWarning, type DoctorCheck } from '../../support/doctor-check.js'
import { dashboardUid } from '../grafana/dashboard-uids.js'
import { Folders } from '../grafana/folders.js'
import type { GrafanaTransport } from '../grafana/grafana-transport.js'

export interface DashboardQuery {
  readonly title: string
  readonly expr: string
  readonly datasourceUid: string | undefined
}

export interface DashboardFinding {
  readonly check: DoctorCheck
  /** the panels' queries as saved; empty when the dashboard is absent */
  readonly queries: readonly DashboardQuery[]
}

const Target = t.partial({ expr: t.string, datasource: t.partial({ uid: t.string }) })
const Panel = t.partial({ title: t.string, targets: t.readonlyArray(Target), datasource: t.partial({ uid: t.string }) })
const Panels = t.partial({ panels: t.readonlyArray(Panel) })

const queriesOf = (model: unknown): readonly DashboardQuery[] => {
  const decoded = Panels.decode(model)
  if (isLeft(decoded)) return []
  return (decoded.right.panels ?? []).flatMap((p) =>
    (p.targets ?? []).flatMap((target) =>
      target.expr === undefined ? [] : [{ title: p.title ?? '', expr: target.expr, datasourceUid: target.datasource?.uid ?? p.datasource?.uid }],
    ),
  )
}

/** Pure: the verdict on one dashboard's GET answer. */
export const dashboardFinding = (
  serviceId: string,
  role: DashboardRole,
  expectedDatasourceUid: string,
  answer: { status: number; text: string },
): DashboardFinding => {
  const uid = dashboardUid(serviceId, role)
  const folder = Folders[role]
  const name = `grafana.dashboard ${role}`
  const reconcile = `telemetry-client reconcile --service ${serviceId} (re-creates it from the event log)`
  if (answer.status === 404) return { check: checkFail(name, `uid ${uid} is not in Grafana (deleted by hand?)`, reconcile), queries: [] }
  const body = decodeBody(DashboardResponse, answer.text)
  if (answer.status !== 200 || isLeft(body))
    return { check: checkFail(name, `uid ${uid}: Grafana answered ${answer.status}`, 'check GRAFANA_URL and the credentials (doctor)'), queries: [] }
  const { dashboard, meta } = body.right
  const queries = queriesOf(dashboard)
  const title = typeof dashboard['title'] === 'string' ? dashboard['title'] : uid
  if (meta.folderUid !== folder.uid) {
    return {
      check: checkWarning(
        name,
        `"${title}" (uid ${uid}) is in folder ${meta.folderTitle ?? meta.folderUid ?? 'General'}, not ${folder.title}`,
        `move it back to ${folder.title}, or ${reconcile}`,
      ),
      queries,
    }
  }
  const foreign = [...new Set(queries.flatMap((q) => (q.datasourceUid === undefined || q.datasourceUid === expectedDatasourceUid ? [] : [q.datasourceUid])))]
  if (foreign.length > 0) {
    return {
      check: checkWarning(
        name,
        `"${title}" queries datasource ${foreign.join(', ')}, the configuration says ${expectedDatasourceUid}`,
        `${reconcile}; or set the datasource uid variable to the one the dashboards should use`,
      ),
      queries,
    }
  }
  return {
    check: checkOk(
      name,
      `"${title}" (uid ${uid}, version ${dashboard.version}) in ${folder.title}, ${queries.length} quer${queries.length === 1 ? 'y' : 'ies'}`,
    ),
    queries,
  }
}

export const verifyDashboard = async (
  transport: GrafanaTransport,
  serviceId: string,
  role: DashboardRole,
  expectedDatasourceUid: string,
): Promise<DashboardFinding> => {
  const uid = dashboardUid(serviceId, role)
  const answer = await transport.send(
    { kind: 'dashboard.get', operation: `verify dashboard ${uid}`, method: 'get', path: `api/dashboards/uid/${encodeURIComponent(uid)}` },
    { maxRetries: 1, queued: false },
  )
  return dashboardFinding(serviceId, role, expectedDatasourceUid, answer)
}
