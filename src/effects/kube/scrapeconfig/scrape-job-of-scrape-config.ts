/**
 * The inverse of `scrapeConfigOf`: the secret job a service's ScrapeConfig federates as, for
 * moving it back into the secret (`migrate --to secret`). Only an object whose spec is exactly
 * what `scrapeConfigOf` writes converts; a hand-edited one (a field more, a value changed) is
 * refused with the reason rather than half carried over.
 */
import { left, right, type Either } from 'fp-ts/lib/Either.js'
import type { ScrapeConfigResource } from '../../../codecs/apis/scrape-config.js'
import { canonicalJson, type ScrapeJob } from '../../prometheus/scrape-job.js'
import { decodeServiceJob } from '../../prometheus/scrape-job-codec.js'
import { scrapeConfigOf, SERVICE_ID_ANNOTATION } from './scrape-config-of.js'

export const scrapeJobOfScrapeConfig = (resource: ScrapeConfigResource): Either<string, ScrapeJob> => {
  const serviceId = resource.metadata.annotations?.[SERVICE_ID_ANNOTATION]
  if (serviceId === undefined) return left(`scrapeconfig ${resource.metadata.name} has no ${SERVICE_ID_ANNOTATION} annotation`)
  const { spec } = resource
  const candidate = {
    job_name: spec.jobName,
    honor_labels: spec.honorLabels,
    metrics_path: spec.metricsPath,
    params: spec.params,
    static_configs: spec.staticConfigs?.map((s) => ({ targets: s.targets, labels: s.labels })),
    metric_relabel_configs: spec.metricRelabelings?.map((r) => ({ action: r.action, target_label: r.targetLabel, replacement: r.replacement })),
  }
  const job = decodeServiceJob(candidate, serviceId)
  if (job._tag === 'Left') return left(`scrapeconfig ${resource.metadata.name}: ${job.left}`)
  // the spec must be exactly what scrapeConfigOf writes for this job: nothing more, nothing else
  const written = scrapeConfigOf(job.right, { namespace: '', extraLabels: {} }).spec
  if (canonicalJson(written) !== canonicalJson(spec))
    return left(`scrapeconfig ${resource.metadata.name}: its spec has fields or values the service does not write`)
  return right(job.right)
}

/** The same, for callers that only need to know whether the object is the service's job (reconcile's drift). */
export const scrapeJobOf = (resource: ScrapeConfigResource): ScrapeJob | undefined => {
  const job = scrapeJobOfScrapeConfig(resource)
  return job._tag === 'Right' ? job.right : undefined
}
