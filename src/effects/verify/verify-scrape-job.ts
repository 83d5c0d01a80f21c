/**
 * `verify`'s Kubernetes link: the service's job is in place and the service's own — in the secret
 * (by `job_name`, listed in the ownership key) or as the service's ScrapeConfig (managed-by label
 * and serviceId annotation) — and is the job the event log says was written (fingerprint).
 * Read-only: one GET.
 */
import { isLeft } from 'fp-ts/lib/Either.js'
import { checkFail, checkOk, checkWarning, errorMessage, type DoctorCheck } from '../../support/doctor-check.js'
import type { SecretClient, SecretRef } from '../kube/secret/kube-secret-client.js'
import type { ScrapeConfigApplier } from '../kube/scrapeconfig/scrape-config-applier.js'
import { findItem } from '../prometheus/scrape-config-list.js'
import { readScrapeSecret } from '../kube/secret/read-scrape-secret.js'
import { scrapeConfigName } from '../kube/scrapeconfig/scrape-config-name.js'
import { scrapeJobOf } from '../kube/scrapeconfig/scrape-job-of-scrape-config.js'
import { jobFingerprint } from '../prometheus/scrape-job.js'

const NAME = 'scrape.job'

export interface ExpectedJob {
  readonly serviceId: string
  /** the fingerprint the event log recorded for the job in place */
  readonly fingerprint: string
  /** `host:port` of the managed cluster's Prometheus */
  readonly target: string
}

const reconcile = (serviceId: string): string => `telemetry-client reconcile --service ${serviceId} (writes it again from the event log)`

export const verifySecretJob = async (client: SecretClient, secret: SecretRef, expected: ExpectedJob): Promise<DoctorCheck> => {
  const where = `secret ${secret.namespace}/${secret.name} key ${secret.key}`
  try {
    const { list, owned } = await readScrapeSecret(client)
    if (isLeft(list)) return checkFail(NAME, `${where} does not parse: ${list.left.message}`, 'repair the secret by hand (its YAML), then reconcile')
    const job = findItem(list.right.items, expected.serviceId)
    if (job === undefined) return checkFail(NAME, `no job ${expected.serviceId} in ${where} (removed by hand?)`, reconcile(expected.serviceId))
    if (isLeft(owned) || !owned.right.has(expected.serviceId)) {
      return checkFail(
        NAME,
        `job ${expected.serviceId} is in ${where} but not in its ownership key: the service will not touch it`,
        `telemetry-client adopt --service ${expected.serviceId} if the job is the service's (see the runbook)`,
      )
    }
    if (jobFingerprint(job) !== expected.fingerprint)
      return checkWarning(NAME, `job ${expected.serviceId} in ${where} differs from the one the service wrote (edited by hand?)`, reconcile(expected.serviceId))
    return checkOk(NAME, `job ${expected.serviceId} in ${where}, owned, scraping ${expected.target}`)
  } catch (error) {
    return checkFail(NAME, `${where} cannot be read: ${errorMessage(error)}`, 'telemetry-client doctor (Kubernetes checks)')
  }
}

export const verifyScrapeConfigJob = async (applier: ScrapeConfigApplier, namespace: string, expected: ExpectedJob): Promise<DoctorCheck> => {
  const where = `ScrapeConfig ${namespace}/${scrapeConfigName(expected.serviceId)}`
  try {
    const object = await applier.read(expected.serviceId)
    if (object === undefined) return checkFail(NAME, `no ${where} (deleted by hand?)`, reconcile(expected.serviceId))
    if (object === 'foreign')
      return checkFail(
        NAME,
        `${where} exists but was not created by the service (no managed-by label or serviceId annotation)`,
        'rename or remove that object, then reconcile',
      )
    const job = scrapeJobOf(object)
    if (job === undefined || jobFingerprint(job) !== expected.fingerprint)
      return checkWarning(NAME, `${where} differs from the one the service wrote (edited by hand?)`, reconcile(expected.serviceId))
    return checkOk(NAME, `${where}, owned, scraping ${expected.target}`)
  } catch (error) {
    return checkFail(NAME, `${where} cannot be read: ${errorMessage(error)}`, 'telemetry-client doctor (Kubernetes checks)')
  }
}
