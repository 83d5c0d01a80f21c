/**
 * One group-commit write of the scrape-config secret: read-modify-write of a whole batch of edits
 * with the secret's resourceVersion, re-read and re-applied on 409, backed off on 429/5xx.
 *
 * The last written (or read) list is cached with its resourceVersion, so a write normally costs
 * one PUT and no GET and the secret is not re-parsed per request; a 409 drops the cache and the
 * next attempt starts from a fresh GET.
 *
 * The secret is never overwritten with something we could not parse: a missing secret or a key
 * holding invalid YAML fails the batch with a clear reason.
 */
import { isLeft } from 'fp-ts/lib/Either.js'
import { KubeErrorException } from './kube-error.js'
import type { SecretClient } from './kube-secret-client.js'
import {
  applyEdits,
  jobNames,
  parseScrapeConfigList,
  renderScrapeConfigList,
  type ScrapeConfigList,
  type SecretEdit,
} from './scrape-config-list.js'

export type SecretEditOutcome =
  | { readonly ok: true; readonly changed: boolean; readonly wasPresent: boolean }
  | { readonly ok: false; readonly reason: string; readonly retryable: boolean }

export interface BatchReport {
  readonly edits: number
  readonly written: boolean
  readonly attempts: number
  readonly conflicts: number
  readonly bytes: number
  readonly error?: string
}

export interface CachedSecret {
  readonly resourceVersion: string
  /** the list as we would render it: an edit that renders the same changes nothing */
  readonly rendered: string
  readonly list: ScrapeConfigList
}

export interface BatchWriteDeps {
  readonly client: SecretClient
  readonly describe: string // "namespace/name key", for messages
  readonly maxAttempts: number
  readonly sleep: (ms: number) => Promise<void>
  readonly random: () => number
  /** the writer's memory of the secret between batches */
  cache: CachedSecret | undefined
}

class BatchFailed extends Error {
  constructor(readonly reason: string, readonly retryable: boolean) {
    super(reason)
  }
}

const editedName = (edit: SecretEdit): string => (edit.op === 'upsert' ? edit.job.job_name : edit.jobName)

const readFresh = async (deps: BatchWriteDeps): Promise<CachedSecret> => {
  const snapshot = await deps.client.read()
  const text = snapshot.value ?? ''
  const parsed = parseScrapeConfigList(text)
  if (isLeft(parsed)) {
    throw new BatchFailed(`secret ${deps.describe} holds invalid scrape configs (left untouched): ${parsed.left.message}`, false)
  }
  return { resourceVersion: snapshot.resourceVersion, rendered: renderScrapeConfigList(parsed.right), list: parsed.right }
}

/** The apiserver's Retry-After is honoured, but capped: a lane must not sleep for minutes on one hint. */
const MAX_RETRY_AFTER_MS = 10_000

const backoffMs = (attempt: number, random: () => number, retryAfterMs?: number): number =>
  retryAfterMs === undefined ? Math.round(random() * Math.min(2000, 50 * 2 ** attempt)) : Math.min(retryAfterMs, MAX_RETRY_AFTER_MS)

export const writeBatch = async (
  edits: readonly SecretEdit[],
  deps: BatchWriteDeps,
): Promise<{ outcomes: readonly SecretEditOutcome[]; report: BatchReport }> => {
  let conflicts = 0
  let lastError = ''
  const fail = (reason: string, retryable: boolean, attempts: number) => ({
    outcomes: edits.map((): SecretEditOutcome => ({ ok: false, reason, retryable })),
    report: { edits: edits.length, written: false, attempts, conflicts, bytes: 0, error: reason },
  })
  for (let attempt = 1; attempt <= deps.maxAttempts; attempt += 1) {
    try {
      const base = deps.cache ?? (deps.cache = await readFresh(deps))
      const present = new Set(jobNames(base.list))
      const next = applyEdits(base.list, edits)
      const text = renderScrapeConfigList(next)
      const changed = text !== base.rendered
      const outcomes = edits.map((edit): SecretEditOutcome => ({ ok: true, changed, wasPresent: present.has(editedName(edit)) }))
      if (!changed) return { outcomes, report: { edits: edits.length, written: false, attempts: attempt, conflicts, bytes: Buffer.byteLength(text) } }
      const written = await deps.client.replace(text, base.resourceVersion)
      deps.cache = { resourceVersion: written.resourceVersion, rendered: text, list: next }
      return { outcomes, report: { edits: edits.length, written: true, attempts: attempt, conflicts, bytes: Buffer.byteLength(text) } }
    } catch (error) {
      deps.cache = undefined
      if (error instanceof BatchFailed) return fail(error.reason, error.retryable, attempt)
      if (!(error instanceof KubeErrorException)) return fail(`unexpected error writing secret ${deps.describe}: ${String(error)}`, false, attempt)
      const { kind, message, retryAfterMs } = error.error
      lastError = message
      if (kind === 'not-found') return fail(`secret ${deps.describe} not found (it is not created by this service)`, false, attempt)
      if (kind === 'conflict') conflicts += 1
      else if (kind !== 'retryable') return fail(`Kubernetes refused the secret update: ${message}`, false, attempt)
      if (attempt < deps.maxAttempts) await deps.sleep(backoffMs(attempt, deps.random, retryAfterMs))
    }
  }
  return fail(`secret ${deps.describe} could not be written after ${deps.maxAttempts} attempts: ${lastError}`, true, deps.maxAttempts)
}
