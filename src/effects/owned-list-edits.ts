/**
 * Edits of the shared scrape list that touch only what the service owns.
 *
 * The rules (documented in the runbook, "What the service owns and never touches"):
 * - upsert: a `job_name` held by an item the service does not own is a conflict; nothing changes
 *   and the edit fails, naming it. Otherwise the owned item is rewritten in place (or appended)
 *   and recorded in the ownership key with its fingerprint.
 * - remove: only an owned job is removed; a service that owns no job changes nothing, even if an
 *   item with that name exists (somebody else's).
 * - adopt (operator command only): an item present but not owned becomes owned when its value has
 *   the fingerprint the event log recorded for it, so the text is exactly what the service wrote.
 * Foreign items and all text between items are carried over as the same segment objects.
 */
import { isLeft } from 'fp-ts/lib/Either.js'
import { ownerOf, type OwnedJobs } from '../codecs/owned-jobs.js'
import { fragment, loadScrapeConfigItems, type SecretEdit } from './scrape-config-list.js'
import { jobFingerprint } from './scrape-job.js'
import type { Segment, SplicedList } from './scrape-list-spans.js'

export type OwnedEdit = SecretEdit | { readonly op: 'adopt'; readonly jobName: string; readonly fingerprint: string }

export type EditResult =
  | { readonly ok: true; readonly wasPresent: boolean }
  | { readonly ok: false; readonly reason: string; readonly retryable: false }

export interface OwnedList {
  readonly list: SplicedList
  readonly owned: OwnedJobs
}

const indented = (text: string, indent: number): string =>
  indent === 0 ? text : text.replace(/^(?=.)/gm, ' '.repeat(indent))

const isNamed = (jobName: string) => (segment: Segment): boolean => segment.kind === 'item' && segment.jobName === jobName

/** Rewrites the first item named `jobName` (or appends one), dropping any further duplicates of it. */
const putItem = (segments: readonly Segment[], item: Segment, jobName: string): Segment[] => {
  const named = isNamed(jobName)
  const first = segments.findIndex(named)
  if (first >= 0) return segments.flatMap((segment, i) => (i === first ? [item] : named(segment) ? [] : [segment]))
  const empty = segments.findIndex((segment) => segment.kind === 'empty')
  if (empty >= 0) return segments.map((segment, i) => (i === empty ? item : segment))
  const last = segments.reduce((at, segment, i) => (segment.kind === 'item' ? i : at), -1)
  const before = last >= 0 ? segments.slice(0, last + 1) : [...segments]
  const tail = before[before.length - 1]
  const glue: Segment[] = tail !== undefined && !tail.text.endsWith('\n') ? [{ kind: 'text', text: '\n' }] : []
  return [...before, ...glue, item, ...segments.slice(before.length)]
}

/** Drops every item named `jobName`; when that empties the list, `[]` takes the first one's place. */
const dropItems = (segments: readonly Segment[], jobName: string): Segment[] => {
  const named = isNamed(jobName)
  const kept = segments.filter((segment) => !named(segment))
  if (kept.some((segment) => segment.kind === 'item' || segment.kind === 'empty')) return kept
  const first = segments.findIndex(named)
  return [...kept.slice(0, first), { kind: 'empty', text: '[]\n' }, ...kept.slice(first)]
}

/** The item's value read alone, as the list loader reads it; an item leaning on an anchor elsewhere reads as nothing. */
const valueOf = (segment: Segment | undefined): unknown => {
  const items = loadScrapeConfigItems(segment?.text)
  return isLeft(items) ? undefined : items.right[0]
}

/** Applies one edit; `describe` names the secret in a conflict's reason. */
export const applyOwnedEdit = (base: OwnedList, edit: OwnedEdit, describe: string): { next: OwnedList; result: EditResult } => {
  const { list, owned } = base
  const jobName = edit.op === 'upsert' ? edit.job.job_name : edit.jobName
  const serviceId = jobName // the job is named after its service
  const present = list.segments.some(isNamed(jobName))
  const mine = ownerOf(owned, jobName) !== undefined
  const unchanged = (wasPresent: boolean) => ({ next: base, result: { ok: true, wasPresent } as const })
  const conflict = (why: string) => ({ next: base, result: { ok: false, retryable: false, reason: `job_name "${jobName}" ${why} in secret ${describe}; nothing was changed` } as const })
  switch (edit.op) {
    case 'upsert': {
      if (present && !mine) return conflict('is held by a job this service did not create (it is not in its ownership record)')
      const item: Segment = { kind: 'item', text: indented(fragment(edit.job), list.indent), jobName }
      const jobs = { ...owned.jobs, [serviceId]: { jobName, fingerprint: jobFingerprint(edit.job) } }
      return { next: { list: { ...list, segments: putItem(list.segments, item, jobName) }, owned: { ...owned, jobs } }, result: { ok: true, wasPresent: present } }
    }
    case 'remove': {
      if (!mine) return unchanged(false)
      const { [serviceId]: _dropped, ...jobs } = owned.jobs
      return { next: { list: { ...list, segments: dropItems(list.segments, jobName) }, owned: { ...owned, jobs } }, result: { ok: true, wasPresent: present } }
    }
    case 'adopt': {
      if (mine) return unchanged(present)
      if (!present) return conflict('is not present')
      const found = jobFingerprint(valueOf(list.segments.find(isNamed(jobName))))
      if (found !== edit.fingerprint) return conflict(`does not match what the service rendered (fingerprint ${found}, event log ${edit.fingerprint})`)
      const jobs = { ...owned.jobs, [serviceId]: { jobName, fingerprint: found } }
      return { next: { list, owned: { ...owned, jobs } }, result: { ok: true, wasPresent: true } }
    }
  }
}

export const applyOwnedEdits = (base: OwnedList, edits: readonly OwnedEdit[], describe: string): { next: OwnedList; results: EditResult[] } => {
  const results: EditResult[] = []
  let next = base
  for (const edit of edits) {
    const step = applyOwnedEdit(next, edit, describe)
    next = step.next
    results.push(step.result)
  }
  return { next, results }
}
