/**
 * What a request wants in place: the scrape job and the dashboard models, and their fingerprints.
 * `decide` compares fingerprints with the snapshot to skip steps whose outcome is already there.
 */
import { createHash } from 'node:crypto'
import type { DashboardRole } from '../codecs/events.js'
import type { CreateDashboardRequest, PlatformServiceRequest } from '../codecs/requests.js'
import type { DesiredFingerprints } from '../state/decide.js'
import { logsDashboard, metricsDashboard, platformLogsDashboard } from './dashboards.js'
import { canonicalJson, federationJob, jobFingerprint, type ScrapeJob } from './scrape-job.js'

export interface DatasourceUids {
  readonly prometheusDatasourceUid: string
  readonly lokiDatasourceUid: string
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
    case 'metrics': return metricsDashboard(input)
    case 'logs': return logsDashboard(input)
    case 'platform': {
      const serviceName = 'serviceName' in payload ? payload.serviceName : undefined
      return platformLogsDashboard(serviceName === undefined ? input : { ...input, serviceName })
    }
  }
}

const modelFingerprint = (model: Record<string, unknown>): string =>
  createHash('sha256').update(canonicalJson(model)).digest('hex').slice(0, 16)

export const desiredFingerprints = (datasources: DatasourceUids): DesiredFingerprints => ({
  job: (payload) => jobFingerprint(jobOf(payload)),
  dashboard: (role, payload) => modelFingerprint(dashboardModelOf(role, payload, datasources)),
})
