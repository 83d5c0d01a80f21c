/**
 * The doctor's ownership check: does the scrape backend still know which jobs are the service's?
 * `registered` is what the event logs say (serviceId → fingerprint of the job registered and not
 * removed since). Secret mode: a registered job present in the list but missing from the ownership
 * key, or an unreadable key while any registered job is present, fails the check (a `kubectl
 * apply` of the Secret from a manifest that only knows the list key drops the record). A fresh
 * secret holding none of the service's jobs is fine. Scrapeconfig mode: a registered job whose
 * object exists without the service's label/annotation fails it. Read-only.
 */
import { isLeft } from 'fp-ts/lib/Either.js'
import type { Config } from '../../config/config.js'
import { OWNERSHIP_KEY } from '../../codecs/apis/owned-jobs.js'
import { checkFail, checkOk, errorMessage, type DoctorCheck } from '../../support/doctor-check.js'
import { createSecretClient, kubeConfigFrom } from './secret/kube-secret-client.js'
import { createScrapeConfigApplier } from './scrapeconfig/scrape-config-applier.js'
import { scrapeConfigName } from './scrapeconfig/scrape-config-name.js'
import { readScrapeSecret, scrapeSecretOf, type ScrapeSecret } from './secret/read-scrape-secret.js'
import { jobFingerprint } from '../prometheus/scrape-job.js'

const NAME = 'kube.ownership'
const ADOPT =
  'telemetry-client adopt --dry-run, review, then telemetry-client adopt (runbook "Ownership record lost"); until then deletes of these services answer FAILURE instead of leaving their jobs'

const named = (ids: readonly string[]): string => `${ids.slice(0, 10).join(', ')}${ids.length > 10 ? `, … (${ids.length} in all)` : ''}`

/** Pure: the verdict from the secret's list items, its ownership key and the logs' registered jobs. */
export const ownershipVerdictOf = (secret: ScrapeSecret, registered: ReadonlyMap<string, string>, where: string): DoctorCheck => {
  const { list, owned } = secret
  if (isLeft(list)) return checkOk(NAME, `${where}: not checked, the list does not parse (see kube.secret-parse)`)
  const present = new Map<string, unknown>()
  for (const { jobName, value } of list.right.items) if (jobName !== undefined && registered.has(jobName)) present.set(jobName, value)
  if (isLeft(owned)) {
    return present.size === 0
      ? checkOk(NAME, `${where}: ${OWNERSHIP_KEY} is unreadable (${owned.left}), but none of the jobs the event logs say are registered is in the list`)
      : checkFail(
          NAME,
          `${where}: ${OWNERSHIP_KEY} is unreadable (${owned.left}) while ${present.size} job(s) the event logs say this service registered are in the list: ${named([...present.keys()])}`,
          `restore the key from a backup, or delete it; then ${ADOPT}`,
        )
  }
  const lost = [...present.keys()].filter((id) => !owned.right.has(id))
  if (lost.length === 0) return checkOk(NAME, `${where}: ${OWNERSHIP_KEY} lists every one of the ${present.size} registered job(s) in the list`)
  const differ = lost.filter((id) => jobFingerprint(present.get(id)) !== registered.get(id))
  const detail =
    differ.length === 0
      ? 'each is exactly what the log recorded (adoptable)'
      : `${differ.length} differ from what the log recorded (not adoptable until checked): ${named(differ)}`
  return checkFail(
    NAME,
    `${where}: ${lost.length} job(s) the event logs say this service registered are missing from ${OWNERSHIP_KEY} (the record was lost or edited): ${named(lost)}; ${detail}`,
    ADOPT,
  )
}

/** Pure: the same verdict from the two keys' text. */
export const ownershipVerdict = (
  value: string | undefined,
  ownedText: string | undefined,
  registered: ReadonlyMap<string, string>,
  where: string,
): DoctorCheck => ownershipVerdictOf(scrapeSecretOf({ resourceVersion: '', value, owned: ownedText }), registered, where)

/** What the event logs say, asked only about the services the check needs (ops/reconcile/registered-jobs.ts). */
export interface LoggedJobs {
  /** the serviceIds that have an event log */
  readonly services: ReadonlySet<string>
  /** serviceId → fingerprint of its registered job, for those of `serviceIds` that have one */
  fingerprints(serviceIds: Iterable<string>): Promise<ReadonlyMap<string, string>>
}

/**
 * Secret mode: only jobs in the list that belong to a known service and are missing from the
 * ownership record (or all of them when the record is unreadable) need their logs read.
 */
const secretVerdict = async (secret: ScrapeSecret, logged: LoggedJobs, where: string): Promise<DoctorCheck> => {
  const { list, owned } = secret
  if (isLeft(list)) return ownershipVerdictOf(secret, new Map(), where)
  const ours = list.right.items.flatMap(({ jobName }) => (jobName !== undefined && logged.services.has(jobName) ? [jobName] : []))
  const unrecorded = isLeft(owned) ? ours : ours.filter((id) => !owned.right.has(id))
  const registered = new Map(await logged.fingerprints(unrecorded))
  // a recorded job is the service's by the record itself: no log read, but it counts as registered
  if (!isLeft(owned)) for (const id of ours) if (owned.right.has(id)) registered.set(id, '')
  return ownershipVerdictOf(secret, registered, where)
}

export const probeOwnership = async (config: Pick<Config, 'kube' | 'scrape'>, logged: LoggedJobs): Promise<DoctorCheck> => {
  try {
    const kc = kubeConfigFrom(config.kube.kubeconfigPath)
    const { scrape } = config
    if (scrape.backend === 'secret') {
      const secret = await readScrapeSecret(createSecretClient(kc, scrape.secret))
      return await secretVerdict(secret, logged, `${scrape.secret.namespace}/${scrape.secret.name}`)
    }
    const { namespace } = scrape.scrapeConfig
    const applier = createScrapeConfigApplier(kc, { namespace, extraLabels: scrape.scrapeConfig.labels, fieldManager: 'telemetry-client' })
    const own = new Set((await applier.listOwn()).map((o) => o.metadata.name))
    // services whose object is not among the marked ones: only their logs are read, only their objects fetched
    const registered = await logged.fingerprints([...logged.services].filter((serviceId) => !own.has(scrapeConfigName(serviceId))))
    const unmarked: string[] = []
    for (const serviceId of registered.keys()) {
      if ((await applier.read(serviceId)) === 'foreign') unmarked.push(serviceId)
    }
    return unmarked.length === 0
      ? checkOk(
          NAME,
          `scrapeconfigs in ${namespace}: every registered job that has an object carries the service's label and annotation (${own.size} marked objects)`,
        )
      : checkFail(
          NAME,
          `scrapeconfigs in ${namespace}: ${unmarked.length} object(s) of jobs the event logs say this service registered lack its managed-by label or serviceId annotation (changed by hand): ${named(unmarked)}`,
          'restore the label and annotation (runbook "Ownership record lost"); until then deletes of these services answer FAILURE unless the spec is exactly what the log recorded',
        )
  } catch (error) {
    return checkFail(NAME, `not checked: ${errorMessage(error)}`, 'see the kube.* checks above')
  }
}
