/**
 * The port the register and remove steps write through, one implementation per backend
 * (SCRAPE_CONFIG_BACKEND): the secret writer (one shared object, group commit) or the
 * ScrapeConfig writer (one object per service). The events the steps record are the same either
 * way, so decide, evolve and the log do not know which backend is active.
 */
import type { Observable } from 'rxjs'
import type { OwnedEdit } from '../prometheus/owned-list-edits.js'
import type { SecretEditOutcome } from './secret/secret-batch-write.js'
import type { TraceContext } from '../../support/tracing/trace-context.js'

export type ScrapeEditOutcome = SecretEditOutcome

export interface ScrapeTargets {
  /**
   * Cold: submits on subscribe, emits the outcome of the write that carried this edit, completes.
   * `trace`: the submitting step's context (a group-committed write links to each of its edits').
   */
  submit(edit: OwnedEdit, trace?: TraceContext): Observable<ScrapeEditOutcome>
}
