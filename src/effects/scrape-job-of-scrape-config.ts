/**
 * The inverse of `scrapeConfigOf`: a ScrapeConfig's spec read back as the secret's snake_case
 * federation job, so a job in place is compared with the log's by the same `jobFingerprint`
 * whatever the backend (jobFingerprint(scrapeJobOf(scrapeConfigOf(job))) === jobFingerprint(job)).
 *
 * Strict on purpose: only a spec of exactly the shape the service writes converts. A spec with a
 * field the job has no place for (a hand-added `scrapeInterval`, a second target) is undefined
 * rather than quietly trimmed into something that would look like the service's job.
 */
import type { ScrapeConfigResource } from '../codecs/scrape-config.js'
import { TENANT_LABEL } from './promql.js'
import type { ScrapeJob } from './scrape-job.js'

const hasExactly = (value: object, keys: readonly string[]): boolean => {
  const own = Object.keys(value)
  return own.length === keys.length && keys.every((k) => own.includes(k))
}

const SPEC_KEYS = ['jobName', 'staticConfigs', 'metricsPath', 'params', 'honorLabels', 'metricRelabelings'] as const

export const scrapeJobOf = (resource: Pick<ScrapeConfigResource, 'spec'>): ScrapeJob | undefined => {
  const { spec } = resource
  if (!hasExactly(spec, SPEC_KEYS)) return undefined
  const { jobName, staticConfigs, metricsPath, params, honorLabels, metricRelabelings } = spec
  if (jobName === undefined || metricsPath !== '/federate' || honorLabels !== true) return undefined
  if (params === undefined || !hasExactly(params, ['match[]'])) return undefined
  const match = params['match[]']
  const [target] = staticConfigs ?? []
  if (match === undefined || staticConfigs?.length !== 1 || target === undefined || !hasExactly(target, ['targets', 'labels'])) return undefined
  const [address] = target.targets
  const serviceIdLabel = target.labels?.['serviceId']
  if (target.targets.length !== 1 || address === undefined || target.labels === undefined || !hasExactly(target.labels, ['serviceId']) || serviceIdLabel === undefined) return undefined
  const [relabel] = metricRelabelings ?? []
  if (metricRelabelings?.length !== 1 || relabel === undefined || !hasExactly(relabel, ['action', 'targetLabel', 'replacement'])) return undefined
  if (relabel.action !== 'replace' || relabel.targetLabel !== TENANT_LABEL || relabel.replacement === undefined) return undefined
  return {
    job_name: jobName,
    honor_labels: true,
    metrics_path: '/federate',
    params: { 'match[]': [...match] },
    static_configs: [{ targets: [address], labels: { serviceId: serviceIdLabel } }],
    metric_relabel_configs: [{ action: 'replace', target_label: TENANT_LABEL, replacement: relabel.replacement }],
  }
}
