/**
 * One group-commit write of the scrape-config secret: read-modify-write of a whole batch of edits
 * with the secret's resourceVersion, re-read and re-applied on 409, backed off on 429/5xx.
 *
 * Only the service's own items are rewritten, by splicing text (`scrape-list-spans`): every other
 * byte of the list stays as it was. Which items are its own is the ownership key, written in the
 * same PUT (`owned-list-edits`, `codecs/owned-jobs`).
 *
 * The last written (or read) list is cached with its resourceVersion, so a write normally costs
 * one PUT and no GET and the secret is not re-lexed per request; a 409 drops the cache and the
 * next attempt starts from a fresh GET. A batch that would change nothing against the cache is
 * re-checked against a fresh GET first: another replica may have written since.
 *
 * The secret is never overwritten with something we could not parse: a missing secret or a key
 * holding invalid YAML fails the batch with a clear reason.
 */
import { isLeft } from 'fp-ts/lib/Either.js'
import { OWNERSHIP_KEY, renderOwnedJobs } from '../../../codecs/apis/owned-jobs.js'
import { backoffDelay } from '../../../support/backoff.js'
import { KubeErrorException, noAnswer } from '../kube-error.js'
import { KUBE_WRITE_BACKOFF } from '../kube-write-backoff.js'
import type { SecretClient } from './kube-secret-client.js'
import { applyJobEdits, type EditResult, type JobEdit, type OwnedList } from '../../prometheus/owned-list-edits.js'
import { renderSplicedBytes } from '../../prometheus/scrape-list-spans.js'
import { readScrapeSecret } from './read-scrape-secret.js'
import type { JobEditOutcome, SecretFull } from '../scrape-targets.js'

export { isSecretFull, type JobEditOutcome, type SecretFull } from '../scrape-targets.js'

export interface BatchReport {
  readonly edits: number
  readonly written: boolean
  readonly attempts: number
  readonly conflicts: number
  readonly bytes: number
  readonly error?: string
}

export interface CachedSecret extends OwnedList {
  readonly resourceVersion: string
  /** the list's UTF-8 bytes as last read or written, and the ownership record as we render it */
  readonly rendered: Buffer
  readonly ownedText: string
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
  constructor(
    readonly reason: string,
    readonly retryable: boolean,
    readonly lostRecord?: string,
  ) {
    super(reason)
  }
}

/** One GET and one parse (values and spans together): once per resourceVersion we did not write ourselves. */
const readFresh = async (deps: BatchWriteDeps): Promise<CachedSecret> => {
  const secret = await readScrapeSecret(deps.client)
  const refuse = (why: string) => new BatchFailed(`secret ${deps.describe} holds invalid scrape configs (left untouched): ${why}`, false)
  if (isLeft(secret.list)) throw refuse(secret.list.left.message)
  const { layout } = secret.list.right
  if (isLeft(layout)) throw refuse(layout.left)
  if (isLeft(secret.owned)) {
    const reason = `secret ${deps.describe}: ownership key ${OWNERSHIP_KEY} is unreadable (left untouched): ${secret.owned.left}`
    throw new BatchFailed(reason, false, reason)
  }
  return {
    resourceVersion: secret.resourceVersion,
    list: layout.right,
    owned: secret.owned.right,
    rendered: Buffer.from(secret.text, 'utf8'),
    ownedText: renderOwnedJobs(secret.owned.right),
  }
}

export const writeBatch = async (edits: readonly JobEdit[], deps: BatchWriteDeps): Promise<{ outcomes: readonly JobEditOutcome[]; report: BatchReport }> => {
  let conflicts = 0
  let lastError = ''
  // a PUT of this batch that got no answer may have landed, whatever the later attempts saw
  let unanswered = false
  const fail = (reason: string, retryable: boolean, attempts: number, lostRecord?: string) => ({
    outcomes: edits.map((): JobEditOutcome => ({
      ok: false,
      reason,
      retryable,
      ...(lostRecord === undefined ? {} : { lostRecord }),
      ...(unanswered ? { mayHaveLanded: true as const } : {}),
    })),
    report: { edits: edits.length, written: false, attempts, conflicts, bytes: 0, error: reason },
  })
  // Set when the API server refused the write as over the Secret's size limit: from then on the
  // batch is re-applied without its upserts (answered "full"), so its removals still go through.
  let full: { readonly reason: string; readonly full: SecretFull } | undefined
  let bytes = 0
  const applyEdits = (base: CachedSecret): { next: OwnedList; results: readonly (EditResult | JobEditOutcome)[] } => {
    if (full === undefined) return applyJobEdits(base, edits, deps.describe)
    const kept = applyJobEdits(
      base,
      edits.filter((edit) => edit.op !== 'upsert'),
      deps.describe,
    )
    const results = kept.results.slice()
    const refused: JobEditOutcome = { ok: false, reason: full.reason, retryable: false, full: full.full }
    const answer = (edit: JobEdit): EditResult | JobEditOutcome => (edit.op === 'upsert' ? refused : (results.shift() ?? { ok: true, wasPresent: false }))
    return { next: kept.next, results: edits.map(answer) }
  }
  for (let attempt = 1; attempt <= deps.maxAttempts; attempt += 1) {
    try {
      let fromCache = deps.cache !== undefined
      let base = deps.cache ?? (deps.cache = await readFresh(deps))
      let applied = applyEdits(base)
      let body = renderSplicedBytes(applied.next.list)
      let ownedText = renderOwnedJobs(applied.next.owned)
      // A cache may be behind another writer: "nothing to do" is only believed once the API server confirms it.
      if (fromCache && body.equals(base.rendered) && ownedText === base.ownedText) {
        base = deps.cache = await readFresh(deps)
        fromCache = false
        applied = applyEdits(base)
        body = renderSplicedBytes(applied.next.list)
        ownedText = renderOwnedJobs(applied.next.owned)
      }
      const changed = !body.equals(base.rendered) || ownedText !== base.ownedText
      const outcomes = applied.results.map((result): JobEditOutcome =>
        result.ok
          ? { ok: true, changed, wasPresent: result.wasPresent, ...(result.lostRecord === undefined ? {} : { lostRecord: result.lostRecord }) }
          : result,
      )
      bytes = body.length + Buffer.byteLength(ownedText)
      if (!changed) return { outcomes, report: { edits: edits.length, written: false, attempts: attempt, conflicts, bytes } }
      const written = await deps.client.replace(body, base.resourceVersion, ownedText).catch((error: unknown) => {
        if (error instanceof KubeErrorException && noAnswer(error.error)) unanswered = true
        throw error
      })
      deps.cache = { resourceVersion: written.resourceVersion, rendered: body, ownedText, ...applied.next }
      return { outcomes, report: { edits: edits.length, written: true, attempts: attempt, conflicts, bytes } }
    } catch (error) {
      deps.cache = undefined
      if (error instanceof BatchFailed) return fail(error.reason, error.retryable, attempt, error.lostRecord)
      if (!(error instanceof KubeErrorException)) return fail(`unexpected error writing secret ${deps.describe}: ${String(error)}`, false, attempt)
      const { kind, message, retryAfterMs, limitBytes } = error.error
      lastError = message
      if (kind === 'not-found') return fail(`secret ${deps.describe} not found (it is not created by this service)`, false, attempt)
      if (kind === 'too-large' && full === undefined && edits.some((edit) => edit.op === 'upsert')) {
        const reason = `secret ${deps.describe} is full: Kubernetes refused it over its size limit (${message}); the job was not added`
        full = { reason, full: { bytes, ...(limitBytes === undefined ? {} : { limitBytes }) } }
        continue
      }
      if (kind === 'conflict') conflicts += 1
      else if (kind !== 'retryable') return fail(`Kubernetes refused the secret update: ${message}`, false, attempt)
      if (attempt < deps.maxAttempts) await deps.sleep(backoffDelay(attempt - 1, KUBE_WRITE_BACKOFF, deps.random, retryAfterMs))
    }
  }
  return fail(`secret ${deps.describe} could not be written after ${deps.maxAttempts} attempts: ${lastError}`, true, deps.maxAttempts)
}
