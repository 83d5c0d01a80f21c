/**
 * The doctor's Kubernetes checks, read-only: "may I get / update the secret?" asked with a
 * SelfSubjectAccessReview (the apiserver answers for the caller's own identity and stores
 * nothing), then the secret read once: present, parses as the scrape-config list, its size and
 * how many more typical jobs fit under the 1 MiB object limit.
 */
import { AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node'
import { isLeft } from 'fp-ts/lib/Either.js'
import type { Config } from '../config/config.js'
import { checkFail, checkOk, checkWarning, errorMessage, type DoctorCheck } from '../support/doctor-check.js'
import { createSecretClient, KubeErrorException, kubeConfigFrom, type SecretRef } from './kube-secret-client.js'
import { applyEdits, emptyScrapeConfigList, parseScrapeConfigList, renderScrapeConfigList } from './scrape-config-list.js'
import { federationJob } from './scrape-job.js'

/** Kubernetes refuses objects larger than this (etcd's request limit, as the apiserver enforces it). */
export const SECRET_LIMIT_BYTES = 1_048_576

/** A typical create request's job (UUID serviceId, two namespaces, IPv4 target) as the writer renders it. */
const TYPICAL_JOB_BYTES = Buffer.byteLength(
  renderScrapeConfigList(
    applyEdits(emptyScrapeConfigList, [
      { op: 'upsert', job: federationJob({ serviceId: 'ecc4345a-2097-4c3b-a40c-a9e791cdccbb', namespaces: ['NAMESPACE_1', 'NAMESPACE_2'], host: '10.10.10.4', port: 30180 }) },
    ]),
  ),
)

export const typicalJobBytes = (): number => TYPICAL_JOB_BYTES

/** Pure: the secret's size and the room left, a warning past `warnRatio` of the limit. */
export const capacityCheck = (bytes: number, jobs: number, warnRatio: number): DoctorCheck => {
  const more = Math.max(0, Math.floor((SECRET_LIMIT_BYTES - bytes) / TYPICAL_JOB_BYTES))
  const reason = `${bytes} bytes, ${jobs} job(s); about ${more} more typical jobs (${TYPICAL_JOB_BYTES} bytes each) fit in 1 MiB`
  return bytes >= warnRatio * SECRET_LIMIT_BYTES
    ? checkWarning('kube.secret-size', reason, 'delete unused services\' jobs, or split the scrape configs across secrets')
    : checkOk('kube.secret-size', reason)
}

/** The review's verdict, or the error when the apiserver could not be asked at all. */
const accessCheck = async (api: AuthorizationV1Api, ref: SecretRef, verb: 'get' | 'update'): Promise<DoctorCheck | Error> => {
  const name = `kube.permission ${verb} secret`
  try {
    const review = await api.createSelfSubjectAccessReview({
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { group: '', resource: 'secrets', verb, namespace: ref.namespace, name: ref.name } } },
    })
    return review.status?.allowed === true
      ? checkOk(name, `allowed on ${ref.namespace}/${ref.name}`)
      : checkFail(name, `denied on ${ref.namespace}/${ref.name}${review.status?.reason === undefined ? '' : ` (${review.status.reason})`}`, `grant "${verb}" on secrets/${ref.name} in ${ref.namespace} to the service account (deploy/ Role)`)
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error))
  }
}

const secretChecks = async (kc: KubeConfig, ref: SecretRef, warnRatio: number): Promise<readonly DoctorCheck[]> => {
  const where = `${ref.namespace}/${ref.name} key ${ref.key}`
  try {
    const snapshot = await createSecretClient(kc, ref).read()
    const parsed = parseScrapeConfigList(snapshot.value)
    if (isLeft(parsed)) return [checkOk('kube.secret', `${where} exists`), checkFail('kube.secret-parse', parsed.left.message, 'fix the YAML in the secret: the service refuses to edit a list it cannot parse')]
    const bytes = Buffer.byteLength(snapshot.value ?? '')
    return [
      checkOk('kube.secret', `${where} exists (resourceVersion ${snapshot.resourceVersion})`),
      checkOk('kube.secret-parse', `a list of ${parsed.right.entries.length} scrape config(s)`),
      capacityCheck(bytes, parsed.right.entries.length, warnRatio),
    ]
  } catch (error) {
    const kind = error instanceof KubeErrorException ? error.error.kind : 'fatal'
    const action = kind === 'not-found' ? 'create the secret (the Prometheus Operator reads it as additionalScrapeConfigs); the service does not create it' : 'check the permissions above, KUBECONFIG and SECRET_NAMESPACE/SECRET_NAME'
    return [checkFail('kube.secret', `${where}: ${errorMessage(error)}`, action)]
  }
}

const probeWith = async (kc: KubeConfig, config: Pick<Config, 'scrape' | 'service'>): Promise<readonly DoctorCheck[]> => {
  const api = kc.makeApiClient(AuthorizationV1Api)
  const server = kc.getCurrentCluster()?.server ?? 'in-cluster'
  const secret = config.scrape.secret
  if (secret === undefined) return [checkOk('kube.reachable', `${server} configured`)]
  const permissions = [await accessCheck(api, secret, 'get'), await accessCheck(api, secret, 'update')]
  const unanswered = permissions.find((p) => p instanceof Error)
  // the apiserver was not reached: every further Kubernetes check would only repeat that
  if (unanswered !== undefined) return [checkFail('kube.reachable', `${server}: ${errorMessage(unanswered)}`, 'check KUBECONFIG or the pod\'s service account and the apiserver address')]
  const answered = permissions.filter((p): p is DoctorCheck => !(p instanceof Error))
  return [checkOk('kube.reachable', `${server} answered`), ...answered, ...(await secretChecks(kc, secret, config.service.secretSizeWarnRatio))]
}

/** Loading the kubeconfig can fail by itself (no file, not in a pod): that is a finding, not a crash. */
export const probeKube = async (config: Pick<Config, 'kube' | 'scrape' | 'service'>): Promise<readonly DoctorCheck[]> => {
  let kc: KubeConfig
  try {
    kc = kubeConfigFrom(config.kube.kubeconfigPath)
  } catch (error) {
    return [checkFail('kube.reachable', `no Kubernetes configuration: ${errorMessage(error)}`, 'set KUBECONFIG, or run in a pod with a service account')]
  }
  return probeWith(kc, config)
}
