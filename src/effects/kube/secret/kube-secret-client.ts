/**
 * The secret backend's door to Kubernetes (the ScrapeConfig backend has its own,
 * scrape-config-applier.ts): read and replace one key of one Secret.
 *
 * It classifies failures into `KubeError` kinds and never retries: what to do on a conflict
 * (re-read and re-apply) or a retryable failure (back off) is the secret writer's policy, and
 * retrying here as well would multiply attempts and hide conflicts from it.
 *
 * `replace` PUTs the whole Secret with the caller's resourceVersion, so the apiserver rejects it
 * with 409 if anyone wrote in between. A PUT replaces every key, so the client keeps the full
 * object it last saw and writes the other keys (and labels, annotations, type) back unchanged.
 */
import { CoreV1Api, setHeaderOptions, type KubeConfig, type V1Secret } from '@kubernetes/client-node'
import { OWNERSHIP_KEY } from '../../../codecs/apis/owned-jobs.js'
import type { Hedger } from '../../hedged-read.js'
import { DEFAULT_TIMEOUT_MS, kubeRead, timeoutOptions, type TraceHeaders } from '../kube-request.js'
import { classifyKubeError, KubeErrorException } from '../kube-error.js'
import { endWithKubeError, kubeClientSpan } from '../../client-span.js'
import type { Tracing } from '../../../support/tracing/tracing.js'

export { classifyKubeError, KubeErrorException, type KubeError } from '../kube-error.js'
export { kubeConfigFrom } from '../kube-request.js'

export interface SecretSnapshot {
  readonly resourceVersion: string
  /** decoded text of the key, undefined if the key is absent */
  readonly value: string | undefined
  /** decoded text of the ownership key (`OWNERSHIP_KEY`), undefined if absent */
  readonly owned?: string | undefined
}

export interface SecretClient {
  /** GET; rejects with a KubeErrorException */
  read(): Promise<SecretSnapshot>
  /**
   * PUT the whole secret with the given resourceVersion; only this key (and the ownership key,
   * when `owned` is given, in the same write) changes, other keys are kept; `value` is text or its
   * UTF-8 bytes; answers the written object's resourceVersion
   */
  replace(value: string | Buffer, resourceVersion: string, owned?: string): Promise<{ readonly resourceVersion: string }>
  /**
   * Readiness: the Secret's resourceVersion from a metadata-only GET (never the data, which can
   * be 1 MiB); rejects with a KubeErrorException
   */
  readMetadata(): Promise<{ readonly resourceVersion: string }>
}

export interface SecretRef {
  readonly namespace: string
  readonly name: string
  readonly key: string
}

/** The apiserver answers with the object's metadata only (no data): a cheap read for readiness. */
const METADATA_ONLY = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1'

const decode = (secret: V1Secret, key: string): string | undefined => {
  const encoded = secret.data?.[key]
  return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8')
}

export const createSecretClient = (kc: KubeConfig, ref: SecretRef, options: { timeoutMs?: number; tracing?: Tracing; hedger?: Hedger } = {}): SecretClient => {
  const api = kc.makeApiClient(CoreV1Api)
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const { namespace, name, key } = ref
  /** The full object at the last resourceVersion this client saw, for writing other keys back. */
  let lastSeen: V1Secret | undefined

  const rememberObject = (secret: V1Secret): string => {
    const resourceVersion = secret.metadata?.resourceVersion
    if (resourceVersion === undefined) {
      throw new KubeErrorException({ kind: 'fatal', message: `secret ${namespace}/${name} has no resourceVersion` })
    }
    lastSeen = secret
    return resourceVersion
  }

  const remember = (secret: V1Secret): SecretSnapshot => {
    const resourceVersion = rememberObject(secret)
    const owned = decode(secret, OWNERSHIP_KEY)
    return { resourceVersion, value: decode(secret, key), ...(owned === undefined ? {} : { owned }) }
  }

  /** One call as a CLIENT span; `request` sends the span's headers (none with tracing off). */
  const call = async <T>(what: 'read' | 'read metadata of' | 'replace', request: (trace: TraceHeaders | undefined) => Promise<T>): Promise<T> => {
    const span = kubeClientSpan(options.tracing, what === 'replace' ? 'PUT' : 'GET', 'secret', namespace, name)
    try {
      const answer = await request(span?.headers)
      span?.succeeded()
      return answer
    } catch (error) {
      const classified = error instanceof KubeErrorException ? error.error : classifyKubeError(error, `${what} secret ${namespace}/${name}`, timeoutMs)
      endWithKubeError(span, classified)
      throw error instanceof KubeErrorException ? error : new KubeErrorException(classified)
    }
  }

  const read = async (): Promise<SecretSnapshot> =>
    remember(
      await call('read', (trace) => kubeRead(options.hedger, 'secret.get', timeoutMs, trace, (opts) => api.readNamespacedSecret({ namespace, name }, opts))),
    )

  /** The object at exactly `resourceVersion`: the cached one, or a fresh GET if it still matches. */
  const baseAt = async (resourceVersion: string): Promise<V1Secret> => {
    if (lastSeen?.metadata?.resourceVersion === resourceVersion) return lastSeen
    const current = await read()
    if (current.resourceVersion === resourceVersion && lastSeen !== undefined) return lastSeen
    // The PUT would be rejected with 409 anyway; answer the same without sending it.
    throw new KubeErrorException({
      kind: 'conflict',
      status: 409,
      message: `secret ${namespace}/${name} is at resourceVersion ${current.resourceVersion}, not ${resourceVersion}`,
    })
  }

  const replace = async (value: string | Buffer, resourceVersion: string, owned?: string): Promise<{ readonly resourceVersion: string }> => {
    const base = await baseAt(resourceVersion)
    const ownedData: Record<string, string> = owned === undefined ? {} : { [OWNERSHIP_KEY]: Buffer.from(owned, 'utf8').toString('base64') }
    const body: V1Secret = {
      ...base,
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { ...base.metadata, name, namespace, resourceVersion },
      data: { ...base.data, [key]: (typeof value === 'string' ? Buffer.from(value, 'utf8') : value).toString('base64'), ...ownedData },
    }
    const written = await call('replace', (trace) => api.replaceNamespacedSecret({ namespace, name, body }, timeoutOptions(timeoutMs, undefined, trace)))
    // The writer knows what it wrote: only the object (for the next write's other keys) and its version are kept, nothing is decoded.
    return { resourceVersion: rememberObject(written) }
  }

  const readMetadata = async (): Promise<{ readonly resourceVersion: string }> => {
    const answer = await call('read metadata of', (trace) =>
      api.readNamespacedSecret({ namespace, name }, setHeaderOptions('Accept', METADATA_ONLY, timeoutOptions(timeoutMs, undefined, trace))),
    )
    const resourceVersion = answer.metadata?.resourceVersion
    if (typeof resourceVersion !== 'string')
      throw new KubeErrorException({ kind: 'fatal', message: `secret ${namespace}/${name}: the metadata read carried no resourceVersion` })
    return { resourceVersion }
  }

  return { read, replace, readMetadata }
}
