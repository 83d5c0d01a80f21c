/**
 * Grafana as a person (or kubectl) uses it beside the service, with the service's token: how the
 * ownership specs make copies, move dashboards and make folders, and look at what Grafana holds.
 */
import type { GrafanaSimulator } from '../../dev/grafana-simulator/server.js'

export interface PersonReply {
  readonly status: number
  /** the answer's JSON object */
  readonly body: Record<string, unknown>
}

export const callAsPerson = async (grafana: GrafanaSimulator, method: string, path: string, body?: unknown): Promise<PersonReply> => {
  const response = await fetch(`${grafana.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${grafana.token}` },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

/** The dashboard Grafana holds under `uid`, if any. */
export const dashboardByUid = (grafana: GrafanaSimulator, uid: string) => grafana.dashboards().find((d) => d.uid === uid)
