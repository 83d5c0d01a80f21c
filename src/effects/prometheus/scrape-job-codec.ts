/**
 * The service's own job shape (`federationJob`) as an io-ts codec, for jobs read back from
 * somewhere the service does not control (the secret's text, a ScrapeConfig): only a value that
 * is exactly such a job, with no field more and the serviceId in all three places, is accepted.
 * Anything else was edited by hand or written by an older version; `reconcile` rewrites it.
 */
import * as t from 'io-ts'
import { left, right, type Either } from 'fp-ts/lib/Either.js'
import { decodeWith, formatFailure } from '../../codecs/decode.js'
import { TENANT_LABEL } from './promql.js'
import { canonicalJson, type ScrapeJob } from './scrape-job.js'

const TenantRelabelCodec = t.strict({ action: t.literal('replace'), target_label: t.literal(TENANT_LABEL), replacement: t.string })

export const ScrapeJobCodec = t.strict(
  {
    job_name: t.string,
    honor_labels: t.literal(true),
    metrics_path: t.literal('/federate'),
    params: t.strict({ 'match[]': t.readonlyArray(t.string) }),
    static_configs: t.tuple([t.strict({ targets: t.tuple([t.string]), labels: t.strict({ serviceId: t.string }) })]),
    metric_relabel_configs: t.tuple([TenantRelabelCodec]),
  },
  'ScrapeJob',
)

const decodeJob = decodeWith(ScrapeJobCodec)

/** `value` as the job of `serviceId`, or why it is not one. */
export const decodeServiceJob = (value: unknown, serviceId: string): Either<string, ScrapeJob> => {
  const decoded = decodeJob(value)
  if (decoded._tag === 'Left') return left(`not the service's job shape: ${formatFailure(decoded.left)}`)
  const job: ScrapeJob = decoded.right
  // t.strict drops unknown fields: a value that loses some in decoding had fields the service never writes
  if (canonicalJson(job) !== canonicalJson(value)) return left("not the service's job shape: it has fields the service does not write")
  const ids = [job.job_name, job.static_configs[0].labels.serviceId, job.metric_relabel_configs[0].replacement]
  if (ids.some((id) => id !== serviceId))
    return left(`not the job of service ${serviceId}: job_name, the serviceId label and the ${TENANT_LABEL} relabeling must all be ${serviceId}`)
  return right(job)
}
