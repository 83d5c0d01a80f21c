/**
 * The port the register and remove steps write through, one implementation per backend
 * (SCRAPE_CONFIG_BACKEND): the secret writer (one shared object, group commit) or the
 * ScrapeConfig writer (one object per service). The events the steps record are the same either
 * way, so decide, evolve and the log do not know which backend is active.
 */
import type { Observable } from 'rxjs'
import type { JobEdit } from '../prometheus/owned-list-edits.js'
import type { TraceContext } from '../../support/tracing/trace-context.js'

/** The API server refused the secret over its size limit: the bytes of both keys it was sent, and its limit when it named one. */
export interface SecretFull {
  readonly bytes: number
  readonly limitBytes?: number
}

/**
 * `lostRecord`: the edit met a job the log says is the service's, missing from the ownership
 * record (see prometheus/owned-list-edits.ts). `full`: an upsert refused because the secret would pass the
 * API server's size limit (secret mode: see `full` in secret/secret-batch-write.ts).
 */
export type JobEditOutcome =
  | { readonly ok: true; readonly changed: boolean; readonly wasPresent: boolean; readonly lostRecord?: string }
  | {
      readonly ok: false
      readonly reason: string
      readonly retryable: boolean
      readonly lostRecord?: string
      readonly full?: SecretFull
      /** a write of this edit got no answer (a timeout, a lost connection, a 504): it may have landed */
      readonly mayHaveLanded?: true
    }

/** An upsert answered "full": the API server refused the secret over its size limit. */
export const isSecretFull = (outcome: JobEditOutcome): outcome is JobEditOutcome & { readonly ok: false; readonly full: SecretFull } =>
  !outcome.ok && outcome.full !== undefined

export interface ScrapeTargets {
  /**
   * Cold: submits on subscribe, emits the outcome of the write that carried this edit, completes.
   * `trace`: the submitting step's context (a group-committed write links to each of its edits').
   */
  submit(edit: JobEdit, trace?: TraceContext): Observable<JobEditOutcome>
}
