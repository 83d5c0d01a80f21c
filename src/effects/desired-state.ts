/**
 * What a request wants in place: the scrape job and the dashboard models, and their fingerprints.
 * `decide` compares fingerprints with the snapshot to skip steps whose outcome is already there.
 */
import { createHash } from 'node:crypto'
import type { DashboardRole } from '../codecs/events.js'
import type { CreateDashboardRequest, PlatformServiceRequest } from '../codecs/requests.js'
import type { DesiredFingerprints } from '../state/decide.js'
import { logsDashboard, metricsDashboard, platformLogsDashboard } from './grafana/dashboards.js'
import { canonicalJson, federationJob, jobFingerprint, type ScrapeJob } from './prometheus/scrape-job.js'

export interface DatasourceUids {
  readonly prometheusDatasourceUid: string
  readonly lokiDatasourceUid: string
  /** LOKI_SERVICE_LABEL (how log queries tell tenants apart); unset = by namespaces only */
  readonly lokiServiceLabel?: string | undefined
}

export const jobOf = (payload: CreateDashboardRequest): ScrapeJob =>
  federationJob({ serviceId: payload.serviceId, namespaces: payload.namespaces, host: payload.prometheus.host, port: payload.prometheus.port })

export const dashboardModelOf = (
  role: DashboardRole,
  payload: CreateDashboardRequest | PlatformServiceRequest,
  datasources: DatasourceUids,
): Record<string, unknown> => {
  const input = { serviceId: payload.serviceId, namespaces: payload.namespaces, ...datasources }
  switch (role) {
    case 'metrics':
      return metricsDashboard(input)
    case 'logs':
      return logsDashboard(input)
    case 'platform': {
      const serviceName = 'serviceName' in payload ? payload.serviceName : undefined
      return platformLogsDashboard(serviceName === undefined ? input : { ...input, serviceName })
    }
  }
}

const modelFingerprint = (model: Record<string, unknown>): string => createHash('sha256').update(canonicalJson(model)).digest('hex').slice(0, 16)

/**
 * decide() asks for these at every step of every request; building a dashboard model and hashing
 * it is the costly part of a decision, and a request's payload does not change, so each answer is
 * remembered (bounded: the memo starts over when it grows past `limit` entries).
 */
export const desiredFingerprints = (datasources: DatasourceUids, limit = 10_000): DesiredFingerprints => {
  const memo = new Map<string, string>()
  const cached = (key: string, compute: () => string): string => {
    const known = memo.get(key)
    if (known !== undefined) return known
    if (memo.size >= limit) memo.clear()
    const value = compute()
    memo.set(key, value)
    return value
  }
  return {
    job: (payload) => cached(`job:${JSON.stringify(payload)}`, () => jobFingerprint(jobOf(payload))),
    dashboard: (role, payload) => cached(`${role}:${JSON.stringify(payload)}`, () => modelFingerprint(dashboardModelOf(role, payload, datasources))),
  }
}
