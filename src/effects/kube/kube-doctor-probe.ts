/**
 * The doctor's Kubernetes checks, read-only, for the active scrape backend. Permissions are asked
 * with a SelfSubjectAccessReview (the apiserver answers for the caller's own identity and stores
 * nothing).
 *
 * Secret mode: "may I get / update the secret?", then the secret read once: present, parses as the
 * scrape-config list, its size and how many more typical jobs fit under the 1 MiB object limit.
 * Scrapeconfig mode: "may I get / list / create / patch / delete scrapeconfigs in
 * SCRAPE_CONFIG_NAMESPACE?", then one list of the service's own objects (a 404 there means the
 * CRD is not installed). The secret's checks follow only when SECRET_* are set, as warnings at
 * worst: in that mode only `migrate` reads the secret.
 */
import { AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node'
import { isLeft } from 'fp-ts/lib/Either.js'
import type { Config, ScrapeConfigRef } from '../../config/config.js'
import { checkFail, checkOk, checkWarning, errorMessage, type DoctorCheck } from '../../support/doctor-check.js'
import { createSecretClient, KubeErrorException, kubeConfigFrom, type SecretRef } from './secret/kube-secret-client.js'
import { createScrapeConfigApplier } from './scrapeconfig/scrape-config-applier.js'
import { readScrapeSecret } from './secret/read-scrape-secret.js'
import { federationJob } from '../prometheus/scrape-job.js'
import { jobBytes } from '../prometheus/job-size.js'

/** Kubernetes refuses objects larger than this (etcd's request limit, as the apiserver enforces it). */
export const SECRET_LIMIT_BYTES = 1_048_576

/** A typical create request's job (UUID serviceId, two namespaces, IPv4 target) as the writer renders it. */
const TYPICAL_JOB_BYTES = jobBytes(
  federationJob({ serviceId: 'ecc4345a-2097-4c3b-a40c-a9e791cdccbb', namespaces: ['NAMESPACE_1', 'NAMESPACE_2'], host: '10.10.10.4', port: 30180 }),
)

export const typicalJobBytes = (): number => TYPICAL_JOB_BYTES

/** Pure: the secret's size and the room left, a warning past `warnRatio` of the limit. */
export const capacityCheck = (bytes: number, jobs: number, warnRatio: number): DoctorCheck => {
  const more = Math.max(0, Math.floor((SECRET_LIMIT_BYTES - bytes) / TYPICAL_JOB_BYTES))
  const reason = `${bytes} bytes, ${jobs} job(s); about ${more} more typical jobs (${TYPICAL_JOB_BYTES} bytes each) fit in 1 MiB`
  return bytes >= warnRatio * SECRET_LIMIT_BYTES
    ? checkWarning('kube.secret-size', reason, "delete unused services' jobs, or split the scrape configs across secrets")
    : checkOk('kube.secret-size', reason)
}

interface Access {
  /** the check's name, e.g. `kube.permission get secret` */
  readonly name: string
  readonly attributes: { readonly group: string; readonly resource: string; readonly verb: string; readonly namespace: string; readonly name?: string }
  /** where, in the verdict: `monitoring/prometheus-additional-scrape-configs` */
  readonly where: string
  /** what to grant when denied */
  readonly grant: string
}

/** The review's verdict, or the error when the apiserver could not be asked at all. */
const accessCheck = async (api: AuthorizationV1Api, access: Access): Promise<DoctorCheck | Error> => {
  try {
    const review = await api.createSelfSubjectAccessReview({
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { ...access.attributes } } },
    })
    return review.status?.allowed === true
      ? checkOk(access.name, `allowed on ${access.where}`)
      : checkFail(access.name, `denied on ${access.where}${review.status?.reason === undefined ? '' : ` (${review.status.reason})`}`, access.grant)
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error))
  }
}

const secretAccess = (ref: SecretRef, verb: 'get' | 'update'): Access => ({
  name: `kube.permission ${verb} secret`,
  attributes: { group: '', resource: 'secrets', verb, namespace: ref.namespace, name: ref.name },
  where: `${ref.namespace}/${ref.name}`,
  grant: `grant "${verb}" on secrets/${ref.name} in ${ref.namespace} to the service account (deploy/ Role)`,
})

/** What the ScrapeConfig writer and reconcile do: read, list (readiness, reconcile), apply (create or patch), remove. */
const SCRAPE_CONFIG_VERBS = ['get', 'list', 'create', 'patch', 'delete'] as const

const scrapeConfigAccess = (namespace: string, verb: string): Access => ({
  name: `kube.permission ${verb} scrapeconfigs`,
  attributes: { group: 'monitoring.coreos.com', resource: 'scrapeconfigs', verb, namespace },
  where: `scrapeconfigs.monitoring.coreos.com in ${namespace}`,
  grant: `grant "${verb}" on scrapeconfigs (apiGroup monitoring.coreos.com) in ${namespace} to the service account (a Role in SCRAPE_CONFIG_NAMESPACE)`,
})

/** One list of the service's own objects: the CRD is served, and how many there are. */
const scrapeConfigChecks = async (kc: KubeConfig, ref: ScrapeConfigRef): Promise<readonly DoctorCheck[]> => {
  // doctor never writes: the field manager is never sent
  const applier = createScrapeConfigApplier(kc, { namespace: ref.namespace, extraLabels: ref.labels, fieldManager: 'telemetry-client' })
  try {
    const own = await applier.listOwn()
    return [checkOk('kube.scrapeconfigs', `the ScrapeConfig API is served; ${own.length} object(s) owned by this service in ${ref.namespace}`)]
  } catch (error) {
    if (error instanceof KubeErrorException && error.error.kind === 'not-found') {
      return [
        checkFail(
          'kube.scrapeconfigs',
          `${ref.namespace}: the apiserver does not serve monitoring.coreos.com/v1alpha1 scrapeconfigs (the CRD is not installed)`,
          'install Prometheus Operator ≥ v0.65 with the ScrapeConfig CRD (scrapeconfigs.monitoring.coreos.com), or set SCRAPE_CONFIG_BACKEND=secret',
        ),
      ]
    }
    return [checkFail('kube.scrapeconfigs', `${ref.namespace}: ${errorMessage(error)}`, 'check the permissions above, KUBECONFIG and SCRAPE_CONFIG_NAMESPACE')]
  }
}

const secretChecks = async (kc: KubeConfig, ref: SecretRef, warnRatio: number): Promise<readonly DoctorCheck[]> => {
  const where = `${ref.namespace}/${ref.name} key ${ref.key}`
  try {
    const secret = await readScrapeSecret(createSecretClient(kc, ref))
    if (isLeft(secret.list))
      return [
        checkOk('kube.secret', `${where} exists`),
        checkFail('kube.secret-parse', secret.list.left.message, 'fix the YAML in the secret: the service refuses to edit a list it cannot parse'),
      ]
    const jobs = secret.list.right.items.length
    return [
      checkOk('kube.secret', `${where} exists (resourceVersion ${secret.resourceVersion})`),
      checkOk('kube.secret-parse', `a list of ${jobs} scrape config(s)`),
      capacityCheck(secret.bytes.list, jobs, warnRatio),
    ]
  } catch (error) {
    const kind = error instanceof KubeErrorException ? error.error.kind : 'fatal'
    const action =
      kind === 'not-found'
        ? 'create the secret (the Prometheus Operator reads it as additionalScrapeConfigs); the service does not create it'
        : 'check the permissions above, KUBECONFIG and SECRET_NAMESPACE/SECRET_NAME'
    return [checkFail('kube.secret', `${where}: ${errorMessage(error)}`, action)]
  }
}

const unreachable = (server: string, error: Error): DoctorCheck =>
  checkFail('kube.reachable', `${server}: ${errorMessage(error)}`, "check KUBECONFIG or the pod's service account and the apiserver address")

/** In scrapeconfig mode the secret serves `migrate` only: what is wrong with it is worth a warning, not a failure. */
const informational = (check: DoctorCheck): DoctorCheck =>
  check.status === 'fail' ? { ...check, status: 'warning', reason: `${check.reason} (scrapeconfig mode: only migrate reads the secret)` } : check

const secretPart = async (kc: KubeConfig, api: AuthorizationV1Api, secret: SecretRef, warnRatio: number): Promise<readonly DoctorCheck[] | Error> => {
  const permissions = [await accessCheck(api, secretAccess(secret, 'get')), await accessCheck(api, secretAccess(secret, 'update'))]
  const unanswered = permissions.find((p) => p instanceof Error)
  if (unanswered !== undefined) return unanswered
  const answered = permissions.filter((p): p is DoctorCheck => !(p instanceof Error))
  return [...answered, ...(await secretChecks(kc, secret, warnRatio))]
}

const probeWith = async (kc: KubeConfig, config: Pick<Config, 'scrape' | 'service'>): Promise<readonly DoctorCheck[]> => {
  const api = kc.makeApiClient(AuthorizationV1Api)
  const server = kc.getCurrentCluster()?.server ?? 'in-cluster'
  const { scrape } = config
  const warnRatio = config.service.secretSizeWarnRatio
  if (scrape.backend === 'secret') {
    const part = await secretPart(kc, api, scrape.secret, warnRatio)
    // the apiserver was not reached: every further Kubernetes check would only repeat that
    if (part instanceof Error) return [unreachable(server, part)]
    return [checkOk('kube.reachable', `${server} answered`), ...part]
  }
  const { namespace } = scrape.scrapeConfig
  const permissions: (DoctorCheck | Error)[] = []
  for (const verb of SCRAPE_CONFIG_VERBS) permissions.push(await accessCheck(api, scrapeConfigAccess(namespace, verb)))
  const unanswered = permissions.find((p) => p instanceof Error)
  if (unanswered !== undefined) return [unreachable(server, unanswered)]
  const answered = permissions.filter((p): p is DoctorCheck => !(p instanceof Error))
  const checks = [checkOk('kube.reachable', `${server} answered`), ...answered, ...(await scrapeConfigChecks(kc, scrape.scrapeConfig))]
  if (scrape.secret === undefined) return checks
  const part = await secretPart(kc, api, scrape.secret, warnRatio)
  return [
    ...checks,
    ...(part instanceof Error
      ? [checkWarning('kube.secret', `not checked: ${errorMessage(part)}`, 'only migrate reads the secret in scrapeconfig mode')]
      : part.map(informational)),
  ]
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
