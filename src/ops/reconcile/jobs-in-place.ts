/**
 * What the active scrape backend has in place, read once per reconcile run and looked up by job
 * name in the secret's snake_case form, so drift compares fingerprints the same way for both
 * backends. Secret mode parses the secret; scrapeconfig mode lists the service's own
 * ScrapeConfigs (paged) and reads each back as a job (`scrapeJobOf`).
 */
import { isLeft } from 'fp-ts/lib/Either.js'
import type { ScrapeConfigResource } from '../../codecs/apis/scrape-config.js'
import type { SecretClient } from '../../effects/kube/secret/kube-secret-client.js'
import type { ScrapeConfigApplier } from '../../effects/kube/scrapeconfig/scrape-config-applier.js'
import { findItem, type ScrapeItem } from '../../effects/prometheus/scrape-config-list.js'
import { readScrapeSecret } from '../../effects/kube/secret/read-scrape-secret.js'
import { isOwnScrapeConfig, SERVICE_ID_ANNOTATION } from '../../effects/kube/scrapeconfig/scrape-config-of.js'
import { scrapeJobOf } from '../../effects/kube/scrapeconfig/scrape-job-of-scrape-config.js'

export type ScrapeBackendName = 'secret' | 'scrapeconfig'

export interface JobsInPlace {
  readonly backend: ScrapeBackendName
  /** the service's job of that name as the secret would hold it; undefined when none is in place */
  readonly jobOf: (jobName: string) => unknown
  /** names held by an object the service did not create: a write of that job will be refused */
  readonly foreign: ReadonlySet<string>
}

/** Reads what is in place; `expected` are the job names the logs say are written (checked for foreign objects). */
export type ObserveJobs = (expected: readonly string[]) => Promise<JobsInPlace>

export const jobsInSecret = (items: readonly ScrapeItem[]): JobsInPlace => ({ backend: 'secret', jobOf: (name) => findItem(items, name), foreign: new Set() })

/**
 * A spec that is not of the service's shape (a hand edit added a field) is still in place: it is
 * kept as the raw spec, whose fingerprint matches no job, so it shows as job-different.
 */
export const jobsInScrapeConfigs = (own: readonly ScrapeConfigResource[], foreign: ReadonlySet<string> = new Set()): JobsInPlace => {
  const byJob = new Map<string, unknown>()
  for (const object of own) {
    const serviceId = object.metadata.annotations?.[SERVICE_ID_ANNOTATION]
    // listed by the managed-by label alone; without the annotation it is nobody's job
    if (serviceId === undefined || !isOwnScrapeConfig(object, serviceId)) continue
    byJob.set(serviceId, scrapeJobOf(object) ?? { scrapeConfigSpec: object.spec })
  }
  return { backend: 'scrapeconfig', jobOf: (name) => byJob.get(name), foreign }
}

export const observeSecretJobs =
  (client: SecretClient): ObserveJobs =>
  async () => {
    const { list } = await readScrapeSecret(client)
    if (isLeft(list)) throw new Error(`the scrape-config secret cannot be read: ${list.left.message}`)
    return jobsInSecret(list.right.items)
  }

export const observeScrapeConfigJobs =
  (applier: ScrapeConfigApplier): ObserveJobs =>
  async (expected) => {
    const own = jobsInScrapeConfigs(await applier.listOwn())
    // an expected job with no object of ours: one GET tells "absent" from "somebody else's object of that name"
    const foreign = new Set<string>()
    for (const name of expected) if (own.jobOf(name) === undefined && (await applier.read(name)) === 'foreign') foreign.add(name)
    return { ...own, foreign }
  }
