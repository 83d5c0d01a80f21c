/**
 * The ScrapeConfig object for a service: the same federation job the secret backend writes
 * (`federationJob`), translated field by field into the CRD's camelCase, plus the metadata that
 * lets the Prometheus resource select it and lets the service recognise its own objects.
 *
 * Ownership: an object is the service's own only when it carries BOTH the managed-by label and
 * the serviceId annotation; the name alone proves nothing, since anybody may create an object
 * under any name. The managed-by label is set last, so `extraLabels` (SCRAPE_CONFIG_LABELS) can
 * add selector labels but never hide the mark.
 */
import { SCRAPE_CONFIG_API_VERSION, SCRAPE_CONFIG_KIND, type ScrapeConfigResource } from '../../../codecs/apis/scrape-config.js'
import type { ScrapeJob } from '../../prometheus/scrape-job.js'
import { scrapeConfigName } from './scrape-config-name.js'

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by'
export const MANAGED_BY_VALUE = 'telemetry-client'
/** Carries the exact serviceId: the name is lower-cased and escaped, the annotation is not. */
export const SERVICE_ID_ANNOTATION = 'telemetry-client.etsi-hypo/service-id'

export interface ScrapeConfigOptions {
  /** SCRAPE_CONFIG_NAMESPACE */
  readonly namespace: string
  /** SCRAPE_CONFIG_LABELS, e.g. `{ release: 'prometheus' }` for the Prometheus selector */
  readonly extraLabels: Readonly<Record<string, string>>
}

/** The ScrapeConfig whose spec federates exactly as `job` does in the secret. */
export const scrapeConfigOf = (job: ScrapeJob, options: ScrapeConfigOptions): ScrapeConfigResource => {
  const serviceId = job.job_name
  return {
    apiVersion: SCRAPE_CONFIG_API_VERSION,
    kind: SCRAPE_CONFIG_KIND,
    metadata: {
      name: scrapeConfigName(serviceId),
      namespace: options.namespace,
      labels: { ...options.extraLabels, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
      annotations: { [SERVICE_ID_ANNOTATION]: serviceId },
    },
    spec: {
      jobName: serviceId,
      staticConfigs: job.static_configs.map((s) => ({ targets: [...s.targets], labels: { ...s.labels } })),
      metricsPath: job.metrics_path,
      params: { 'match[]': [...job.params['match[]']] },
      honorLabels: job.honor_labels,
      metricRelabelings: job.metric_relabel_configs.map((r) => ({
        action: r.action,
        targetLabel: r.target_label,
        replacement: r.replacement,
      })),
    },
  }
}

/** True when `object` was created by this service for `serviceId` (label AND annotation). */
export const isOwnScrapeConfig = (object: Pick<ScrapeConfigResource, 'metadata'>, serviceId: string): boolean =>
  object.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE && object.metadata.annotations?.[SERVICE_ID_ANNOTATION] === serviceId
