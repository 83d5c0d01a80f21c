/**
 * The ScrapeConfig backend's door to Kubernetes: one object per service, written by server-side
 * apply under the service's field manager, removed only when it is provably the service's own.
 *
 * apply(job): GET first, so an object of the same name that somebody else created (no managed-by
 * label + serviceId annotation) is refused as a `conflict` rather than taken over, the way a
 * foreign `job_name` is refused in the secret. Our own object is applied with `force`: its fields
 * are ours, and a hand edit (another field manager) is drift to undo, not a reason to fail.
 * Like the secret client it never retries: classified `KubeError`s go to the caller's policy.
 *
 * remove(serviceId): GET, check the mark, then DELETE with the object's uid as precondition, so
 * an object deleted and re-created by somebody else between the two calls is never removed.
 *
 * A write that got no answer (timeout, reset, 504) may still land later, and server-side apply has
 * no precondition: an undo's delete could run first and the late apply bring the object back (or a
 * late delete remove what a newer apply wrote). So the next write to that object waits until the
 * unanswered one can no longer land (`settleMs` after it, 3 x the call timeout) and only then reads
 * and acts on what is there.
 */
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node'
import { isLeft } from 'fp-ts/lib/Either.js'
import { SCRAPE_CONFIG_API_VERSION, SCRAPE_CONFIG_KIND, ScrapeConfigList, ScrapeConfigResource } from '../../../codecs/apis/scrape-config.js'
import { classifyKubeError, KubeErrorException } from '../kube-error.js'
import { endWithKubeError, kubeClientSpan } from '../../client-span.js'
import type { Tracing } from '../../../support/tracing/tracing.js'
import type { Hedger } from '../../hedged-read.js'
import { DEFAULT_TIMEOUT_MS, kubeRead, timeoutOptions, type TraceHeaders } from '../kube-request.js'
import { isOwnScrapeConfig, MANAGED_BY_LABEL, MANAGED_BY_VALUE, scrapeConfigOf, SERVICE_ID_ANNOTATION, type ScrapeConfigOptions } from './scrape-config-of.js'
import { scrapeConfigName } from './scrape-config-name.js'
import { jobFingerprint, type ScrapeJob } from '../../prometheus/scrape-job.js'
import { scrapeJobOf } from './scrape-job-of-scrape-config.js'

export type RemoveOutcome = 'removed' | 'absent' | 'foreign'

/**
 * The service's mark (managed-by label + serviceId annotation) is gone or changed by hand on the
 * object of a service whose log says it registered this job. The log decides: when the object's
 * spec is the job the log recorded (`recorded` fingerprint), it is still the service's own and
 * the write goes ahead (an apply puts the mark back); otherwise it is refused, naming the lost
 * mark. `lostRecord` says which, for the metric and the error log.
 */
export interface LostMark {
  readonly matches: boolean
  readonly text: string
}

/** The field manager of every server-side apply: `kubectl get --show-managed-fields` names it. */
export const FIELD_MANAGER = 'telemetry-client'

export const lostMarkOf = (current: ScrapeConfigResource, serviceId: string, recorded: string): LostMark => {
  // read as the service's job for `serviceId`, whatever its annotation says now
  const job = scrapeJobOf({
    ...current,
    metadata: { ...current.metadata, annotations: { ...current.metadata.annotations, [SERVICE_ID_ANNOTATION]: serviceId } },
  })
  const found = job === undefined ? "none (not a job of the service's shape)" : jobFingerprint(job)
  const missing = `scrapeconfig ${current.metadata.namespace ?? ''}/${current.metadata.name} lacks the service's managed-by label or serviceId annotation although the event log says this service registered job ${serviceId} (the mark was changed by hand)`
  return found === recorded
    ? { matches: true, text: `${missing}; its spec matches what the log recorded (fingerprint ${recorded}), so it was treated as the service's own` }
    : {
        matches: false,
        text: `${missing}, and its spec differs from what the service registered (fingerprint ${found}, event log ${recorded}): left untouched → check it, restore the label and annotation`,
      }
}

/** A foreign-looking object that the log says is ours but whose spec differs: refused loudly. */
export class LostMarkError extends KubeErrorException {}

/** An object of the service's name exists and is somebody else's: a `conflict` no retry can fix. */
export class ForeignScrapeConfigError extends KubeErrorException {}

export interface ScrapeConfigApplier {
  /**
   * rejects with a KubeErrorException (`conflict` for a foreign object of the same name);
   * `recorded`: the log's fingerprint of the service's job, `onLostMark`: told when the mark was lost
   */
  apply(job: ScrapeJob, recorded?: string, onLostMark?: (lost: LostMark) => void): Promise<ScrapeConfigResource>
  /** rejects with a KubeErrorException; never deletes a foreign object (one the log proves ours, see LostMark, is not foreign) */
  remove(serviceId: string, recorded?: string, onLostMark?: (lost: LostMark) => void): Promise<RemoveOutcome>
  /** the service's own object for `serviceId`, 'foreign' when the name is somebody else's, undefined when absent */
  read(serviceId: string): Promise<ScrapeConfigResource | 'foreign' | undefined>
  /** every object the service created in the namespace (by the managed-by label), page by page */
  listOwn(): Promise<readonly ScrapeConfigResource[]>
  /** readiness: a list of at most one object in the namespace; rejects with a KubeErrorException */
  probe(): Promise<void>
}

export interface ApplierOptions extends ScrapeConfigOptions {
  /** the server-side apply field manager, e.g. `telemetry-client` */
  readonly fieldManager: string
  readonly timeoutMs?: number
  readonly tracing?: Tracing
  /** hedges the GETs (the service passes one) */
  readonly hedger?: Hedger
  /** how long after a write that got no answer it is assumed it can no longer land (default 3 x the timeout) */
  readonly settleMs?: number
  readonly sleep?: (ms: number) => Promise<void>
}

/** Objects per list page: a 100,000-service namespace is read in pages, never in one answer. */
const LIST_PAGE = 500
/** Upper bound on the pages of one list: 500,000 objects, five times the largest tested namespace. */
const MAX_LIST_PAGES = 1000

/** What a changing call writes, for `settled`: an apply by the job it applies, a delete as such. */
const applyWrite = (job: ScrapeJob): string => `apply ${jobFingerprint(job)}`
const DELETE_WRITE = 'delete'

const GROUP = { group: 'monitoring.coreos.com', version: 'v1alpha1', plural: 'scrapeconfigs' } as const

export const createScrapeConfigApplier = (kc: KubeConfig, options: ApplierOptions): ScrapeConfigApplier => {
  const api = kc.makeApiClient(CustomObjectsApi)
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const namespace = options.namespace
  const settleMs = options.settleMs ?? 3 * timeoutMs
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)))
  /** object name → the write to it that got no answer, and when it can no longer land */
  const unsettled = new Map<string, { readonly write: string; readonly until: number }>()

  /**
   * Waits until no unanswered earlier write of `name` can land any more; not for the same write
   * again (a retried apply of the same spec, a retried delete): a late copy of it changes nothing.
   */
  const settled = async (name: string, write: string): Promise<void> => {
    const pending = unsettled.get(name)
    if (pending !== undefined && pending.write !== write && pending.until > Date.now()) await sleep(pending.until - Date.now())
    if (pending !== undefined && pending.write !== write) unsettled.delete(name)
  }
  /** A write of `name` got no answer: a different write of it waits `settleMs`. */
  const unsettle = (name: string, write: string): void => {
    const now = Date.now()
    // bounded by the objects written in the last settleMs: the expired ones go first
    for (const [other, { until }] of unsettled) if (until <= now) unsettled.delete(other)
    unsettled.set(name, { write, until: now + settleMs })
  }

  /**
   * One call as a CLIENT span; `request` sends the span's headers (none with tracing off). `write`:
   * what a changing call writes (see `settled`), remembered when it gets no answer (no status, or a gateway's 504).
   */
  const call = async <T>(verb: string, name: string, request: (trace: TraceHeaders | undefined) => Promise<T>, write?: string): Promise<T> => {
    const span = kubeClientSpan(options.tracing, verb, 'scrapeconfig', namespace, name)
    try {
      const answer = await request(span?.headers)
      span?.succeeded()
      return answer
    } catch (error) {
      const classified = error instanceof KubeErrorException ? error.error : classifyKubeError(error, `${verb} scrapeconfig ${namespace}/${name}`, timeoutMs)
      if (write !== undefined && (classified.status === undefined || classified.status === 504)) unsettle(name, write)
      endWithKubeError(span, classified)
      throw error instanceof KubeErrorException ? error : new KubeErrorException(classified)
    }
  }

  /** Every answer crosses the wire as `any`: decode it before trusting a field of it. */
  const decoded = (value: unknown, name: string): ScrapeConfigResource => {
    const result = ScrapeConfigResource.decode(value)
    if (isLeft(result))
      throw new KubeErrorException({ kind: 'fatal', message: `scrapeconfig ${namespace}/${name}: the apiserver answered something that is not a ScrapeConfig` })
    return result.right
  }

  /** The current object, or undefined when there is none. */
  const read = async (name: string): Promise<ScrapeConfigResource | undefined> => {
    try {
      return decoded(
        await call<unknown>('read', name, (trace) =>
          kubeRead(options.hedger, 'scrapeconfig.get', timeoutMs, trace, (opts) => api.getNamespacedCustomObject({ ...GROUP, namespace, name }, opts)),
        ),
        name,
      )
    } catch (error) {
      if (error instanceof KubeErrorException && error.error.kind === 'not-found') return undefined
      throw error
    }
  }

  const apply = async (job: ScrapeJob, recorded?: string, onLostMark?: (lost: LostMark) => void): Promise<ScrapeConfigResource> => {
    const desired = scrapeConfigOf(job, options)
    await settled(desired.metadata.name, applyWrite(job))
    return applyNow(desired, job, recorded, onLostMark)
  }

  const applyNow = async (
    desired: ScrapeConfigResource,
    job: ScrapeJob,
    recorded: string | undefined,
    onLostMark: ((lost: LostMark) => void) | undefined,
  ): Promise<ScrapeConfigResource> => {
    const name = desired.metadata.name
    const current = await read(name)
    if (current !== undefined && !isOwnScrapeConfig(current, job.job_name)) {
      const lost = recorded === undefined ? undefined : lostMarkOf(current, job.job_name, recorded)
      if (lost !== undefined) onLostMark?.(lost)
      if (lost === undefined)
        throw new ForeignScrapeConfigError({
          kind: 'conflict',
          status: 409,
          message: `scrapeconfig ${namespace}/${name} exists and was not created by this service for ${job.job_name}`,
        })
      if (!lost.matches) throw new LostMarkError({ kind: 'conflict', status: 409, message: lost.text })
    }
    const body = ScrapeConfigResource.encode(desired)
    const request = { ...GROUP, namespace, name, body, fieldManager: options.fieldManager, force: true }
    const applied = decoded(
      await call<unknown>(
        'apply',
        name,
        (trace) =>
          api.patchNamespacedCustomObject(
            request,
            setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply, timeoutOptions(timeoutMs, undefined, trace)),
          ),
        applyWrite(job),
      ),
      name,
    )
    return withoutForeignSpecFields(applied, desired)
  }

  /**
   * Apply takes back every field the service sets, but a spec field somebody else ADDED (say a
   * hand-set `scrapeInterval`) belongs to their field manager and survives it. The job is the whole
   * spec, so such a field is drift: it is removed by a merge patch (null deletes a key), guarded by
   * the resourceVersion just applied so a newer change by somebody else is not overwritten blind.
   */
  const withoutForeignSpecFields = async (applied: ScrapeConfigResource, desired: ScrapeConfigResource): Promise<ScrapeConfigResource> => {
    const extra = Object.keys(applied.spec).filter((key) => !(key in desired.spec))
    const name = desired.metadata.name
    if (extra.length === 0) return applied
    const body = { metadata: { resourceVersion: applied.metadata.resourceVersion }, spec: Object.fromEntries(extra.map((key) => [key, null])) }
    const patched = await call<unknown>('patch', name, (trace) =>
      api.patchNamespacedCustomObject(
        { ...GROUP, namespace, name, body },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch, timeoutOptions(timeoutMs, undefined, trace)),
      ),
    )
    return decoded(patched, name)
  }

  const remove = async (serviceId: string, recorded?: string, onLostMark?: (lost: LostMark) => void): Promise<RemoveOutcome> => {
    const name = scrapeConfigName(serviceId)
    await settled(name, DELETE_WRITE)
    return removeNow(name, serviceId, recorded, onLostMark)
  }

  const removeNow = async (
    name: string,
    serviceId: string,
    recorded: string | undefined,
    onLostMark: ((lost: LostMark) => void) | undefined,
  ): Promise<RemoveOutcome> => {
    const current = await read(name)
    if (current === undefined) return 'absent'
    if (!isOwnScrapeConfig(current, serviceId)) {
      if (recorded === undefined) return 'foreign'
      const lost = lostMarkOf(current, serviceId, recorded)
      onLostMark?.(lost)
      if (!lost.matches) throw new LostMarkError({ kind: 'conflict', status: 409, message: lost.text })
    }
    const uid = current.metadata.uid
    try {
      await call<unknown>(
        'delete',
        name,
        (trace) =>
          api.deleteNamespacedCustomObject(
            { ...GROUP, namespace, name, ...(uid === undefined ? {} : { body: { preconditions: { uid } } }) },
            timeoutOptions(timeoutMs, undefined, trace),
          ),
        DELETE_WRITE,
      )
      return 'removed'
    } catch (error) {
      if (error instanceof KubeErrorException && error.error.kind === 'not-found') return 'absent'
      throw error
    }
  }

  const readOwn = async (serviceId: string): Promise<ScrapeConfigResource | 'foreign' | undefined> => {
    const current = await read(scrapeConfigName(serviceId))
    if (current === undefined) return undefined
    return isOwnScrapeConfig(current, serviceId) ? current : 'foreign'
  }

  /** One page of a list; `continue` as the apiserver hands it back. */
  const page = async (
    labelSelector: string,
    limit: number,
    token: string | undefined,
  ): Promise<{ items: readonly ScrapeConfigResource[]; next: string | undefined }> => {
    const answer = await call<unknown>('list', '*', (trace) =>
      api.listNamespacedCustomObject(
        { ...GROUP, namespace, labelSelector, limit, ...(token === undefined ? {} : { _continue: token }) },
        timeoutOptions(timeoutMs, undefined, trace),
      ),
    )
    const decodedList = ScrapeConfigList.decode(answer)
    if (isLeft(decodedList))
      throw new KubeErrorException({ kind: 'fatal', message: `scrapeconfigs in ${namespace}: the apiserver answered something that is not a ScrapeConfigList` })
    const next = decodedList.right.metadata?.continue
    // list items may leave out apiVersion and kind (they are the list's): decode each as a ScrapeConfig
    const items = decodedList.right.items.map((item) =>
      decoded(typeof item === 'object' && item !== null ? { apiVersion: SCRAPE_CONFIG_API_VERSION, kind: SCRAPE_CONFIG_KIND, ...item } : item, 'list item'),
    )
    return { items, next: next === undefined || next === '' ? undefined : next }
  }

  const listOwn = async (): Promise<readonly ScrapeConfigResource[]> => {
    const out: ScrapeConfigResource[] = []
    const tokens = new Set<string>()
    let token: string | undefined
    do {
      if (tokens.size >= MAX_LIST_PAGES)
        throw new KubeErrorException({
          kind: 'fatal',
          message: `list scrapeconfigs in ${namespace}: more than ${MAX_LIST_PAGES} pages of ${LIST_PAGE}; refusing to read on`,
        })
      const { items, next } = await page(`${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`, LIST_PAGE, token)
      for (const item of items) out.push(item)
      // a continue token seen before would page in a circle
      if (next !== undefined && tokens.has(next))
        throw new KubeErrorException({ kind: 'fatal', message: `list scrapeconfigs in ${namespace}: the apiserver repeated a continue token` })
      if (next !== undefined) tokens.add(next)
      token = next
    } while (token !== undefined)
    return out
  }

  const probe = async (): Promise<void> => {
    await page(`${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`, 1, undefined)
  }

  return { apply, remove, read: readOwn, listOwn, probe }
}
