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
 * - a lost record (the ownership key dropped by a `kubectl apply`, or edited): an item present but
 *   not owned, whose service's log says it registered a job of that name (`recorded`), is never
 *   taken for "not ours". When its value has the recorded fingerprint it IS ours (the text is what
 *   the service wrote): the upsert or remove goes ahead and the record is written again; otherwise
 *   the edit fails naming the lost record, and nothing changes. Either way the outcome carries
 *   `lostRecord`, for the metric and the error log.
 * Foreign items and all text between items are carried over as the same segment objects.
 */
import { OWNERSHIP_KEY } from '../../codecs/apis/owned-jobs.js'
import { jobFragment } from './job-fragment.js'
import type { JobChange } from './scrape-config-list.js'
import { jobFingerprint } from './scrape-job.js'
import type { Segment, SplicedList } from './scrape-list-spans.js'

/**
 * `expect` (operator commands): the fingerprint of the job in place the edit was planned against,
 * null for none; when the job in place is another, nothing changes and the edit fails.
 */
export type JobEdit = (JobChange & { readonly expect?: string | null }) | { readonly op: 'adopt'; readonly jobName: string; readonly fingerprint: string }

/** The fingerprint an operator command plans with: of the job in place, null when there is none. */
export const fingerprintInPlace = (job: unknown): string | null => (job === undefined ? null : jobFingerprint(job))

export type EditResult =
  | { readonly ok: true; readonly wasPresent: boolean; readonly lostRecord?: string }
  | { readonly ok: false; readonly reason: string; readonly retryable: false; readonly lostRecord?: string }

export interface OwnedList {
  readonly list: SplicedList
  /** serviceIds whose job (`job_name` = serviceId) the service created: the ownership record */
  readonly owned: ReadonlySet<string>
}

const indented = (text: string, indent: number): string => (indent === 0 ? text : text.replace(/^(?=.)/gm, ' '.repeat(indent)))

const isNamed =
  (jobName: string) =>
  (segment: Segment): boolean =>
    segment.kind === 'item' && segment.jobName === jobName

/** One batch's working copy: copied once per batch, then changed in place edit by edit. */
interface Working {
  readonly segments: Segment[]
  readonly owned: Set<string>
  readonly indent: number
}

/** Rewrites the first item named `jobName` (or appends one), dropping any further duplicates of it. */
const putItem = (segments: Segment[], item: Segment, jobName: string): void => {
  const named = isNamed(jobName)
  const first = segments.findIndex(named)
  if (first >= 0) {
    segments[first] = item
    for (let i = segments.length - 1; i > first; i -= 1) if (named(segments[i] as Segment)) segments.splice(i, 1)
    return
  }
  const empty = segments.findIndex((segment) => segment.kind === 'empty')
  if (empty >= 0) {
    segments[empty] = item
    return
  }
  let at = segments.length
  while (at > 0 && segments[at - 1]?.kind !== 'item') at -= 1
  if (at === 0) at = segments.length // no item yet: after everything (comments)
  const tail = segments[at - 1]
  const glue: Segment[] = tail !== undefined && !tail.text.endsWith('\n') ? [{ kind: 'text', text: '\n' }] : []
  segments.splice(at, 0, ...glue, item)
}

/** Drops every item named `jobName`; when that empties the list, `[]` takes the first one's place. */
const dropItems = (segments: Segment[], jobName: string): void => {
  const named = isNamed(jobName)
  const first = segments.findIndex(named)
  for (let i = segments.length - 1; i >= first && first >= 0; i -= 1) if (named(segments[i] as Segment)) segments.splice(i, 1)
  if (first >= 0 && !segments.some((segment) => segment.kind === 'item' || segment.kind === 'empty')) segments.splice(first, 0, { kind: 'empty', text: '[]\n' })
}

/** The item's value as the list's parse composed it (the same parse its text span comes from). */
const valueOf = (segment: Segment | undefined): unknown => (segment?.kind === 'item' ? segment.value : undefined)

/** The ownership record lacks a job the log says the service registered: is the job in place the one it wrote? */
const lostRecordVerdict = (work: Working, jobName: string, recorded: string): { readonly matches: boolean; readonly text: string } => {
  const found = jobFingerprint(valueOf(work.segments.find(isNamed(jobName))))
  const missing = `is not in the ownership record ${OWNERSHIP_KEY} although the event log says this service registered it (the record was lost or edited)`
  return found === recorded
    ? { matches: true, text: `${missing}; the job matches what the log recorded (fingerprint ${recorded}), so it was treated as the service's own` }
    : {
        matches: false,
        text: `${missing}, and the job in place differs from what the service registered (fingerprint ${found}, event log ${recorded}): left untouched → check it, then telemetry-client adopt`,
      }
}

/** Applies one edit to the working copy; `describe` names the secret in a conflict's reason. */
const applyOne = (work: Working, edit: JobEdit, describe: string): EditResult => {
  const jobName = edit.op === 'upsert' ? edit.job.job_name : edit.jobName
  const serviceId = jobName // the job is named after its service
  const present = work.segments.some(isNamed(jobName))
  const mine = work.owned.has(serviceId)
  const conflict = (why: string): EditResult => ({
    ok: false,
    retryable: false,
    reason: `job_name "${jobName}" ${why} in secret ${describe}; nothing was changed`,
  })
  if (edit.op !== 'adopt' && edit.expect !== undefined) {
    const found = fingerprintInPlace(present ? valueOf(work.segments.find(isNamed(jobName))) : undefined)
    if (found !== edit.expect)
      return conflict(`changed since it was planned (fingerprint ${found ?? 'none, absent'}, planned with ${edit.expect ?? 'none, absent'})`)
  }
  const lost = edit.op !== 'adopt' && present && !mine && edit.recorded !== undefined ? lostRecordVerdict(work, jobName, edit.recorded) : undefined
  if (lost !== undefined && !lost.matches) return { ...conflict(lost.text), lostRecord: lost.text }
  switch (edit.op) {
    case 'upsert': {
      if (present && !mine && lost === undefined) return conflict('is held by a job this service did not create (it is not in its ownership record)')
      putItem(work.segments, { kind: 'item', text: indented(jobFragment(edit.job), work.indent), jobName, value: edit.job }, jobName)
      work.owned.add(serviceId)
      return { ok: true, wasPresent: present, ...(lost === undefined ? {} : { lostRecord: lost.text }) }
    }
    case 'remove': {
      if (!mine && lost === undefined) return { ok: true, wasPresent: false }
      dropItems(work.segments, jobName)
      work.owned.delete(serviceId)
      return { ok: true, wasPresent: present, ...(lost === undefined ? {} : { lostRecord: lost.text }) }
    }
    case 'adopt': {
      if (mine) return { ok: true, wasPresent: present }
      if (!present) return conflict('is not present')
      const found = jobFingerprint(valueOf(work.segments.find(isNamed(jobName))))
      if (found !== edit.fingerprint) return conflict(`does not match what the service rendered (fingerprint ${found}, event log ${edit.fingerprint})`)
      work.owned.add(serviceId)
      return { ok: true, wasPresent: true }
    }
  }
}

/** Applies the edits in order; `base` is not changed (foreign segments and other entries are shared, not copied). */
export const applyJobEdits = (base: OwnedList, edits: readonly JobEdit[], describe: string): { next: OwnedList; results: EditResult[] } => {
  const work: Working = { segments: [...base.list.segments], owned: new Set(base.owned), indent: base.list.indent }
  const results = edits.map((edit) => applyOne(work, edit, describe))
  return { next: { list: { segments: work.segments, indent: work.indent }, owned: work.owned }, results }
}
