/**
 * The ownership record kept next to the scrape list, in the same Secret under the key
 * `telemetry-client.owned.json` (Prometheus never reads it). It is written in the same PUT as the
 * list, so one resourceVersion covers both: a crash cannot split them and a second replica sees
 * exactly what the first one owns.
 *
 * Format, version 1 (JSON, one job per line so a diff of the Secret stays readable; jobs in the
 * order they were recorded):
 *
 *   {"format":"telemetry-client.owned/v1","jobs":{
 *   "<serviceId>":{"fingerprint":"<16 hex: sha256 of the job's canonical JSON>","jobName":"<job_name>"}
 *   }}
 *
 * A job of the list is the service's own if and only if its `job_name` is the `jobName` of an
 * entry here; every other item of the list belongs to somebody else and is never changed.
 */
import * as t from 'io-ts'
import { left, right, type Either } from 'fp-ts/lib/Either.js'
import { decodeWith, formatFailure } from './decode.js'

export const OWNERSHIP_KEY = 'telemetry-client.owned.json'
export const OWNERSHIP_FORMAT = 'telemetry-client.owned/v1'

export const OwnedJob = t.type({ jobName: t.string, fingerprint: t.string }, 'OwnedJob')
export type OwnedJob = t.TypeOf<typeof OwnedJob>

export const OwnedJobs = t.type({ format: t.literal(OWNERSHIP_FORMAT), jobs: t.record(t.string, OwnedJob) }, 'OwnedJobs')
export type OwnedJobs = t.TypeOf<typeof OwnedJobs>

export const noOwnedJobs: OwnedJobs = { format: OWNERSHIP_FORMAT, jobs: {} }

const decodeOwnedJobs = decodeWith(OwnedJobs)

/** The key's text → the record; an absent or empty key means nothing is owned yet. */
export const parseOwnedJobs = (text: string | undefined): Either<string, OwnedJobs> => {
  if (text === undefined || text.trim() === '') return right(noOwnedJobs)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return left(`${OWNERSHIP_KEY} is not valid JSON`)
  }
  const decoded = decodeOwnedJobs(value)
  return decoded._tag === 'Left' ? left(`${OWNERSHIP_KEY}: ${formatFailure(decoded.left)}`) : decoded
}

/**
 * Each entry's line, remembered per entry object: an edit copies the record but keeps the other
 * entries as the same objects, so rendering a record of thousands of jobs after one edit
 * stringifies one line (benchmark B4: one edit on a near-1 MiB secret in a few ms).
 */
const lineCache = new WeakMap<OwnedJob, { readonly serviceId: string; readonly line: string }>()

const lineOf = (serviceId: string, job: OwnedJob): string => {
  const cached = lineCache.get(job)
  if (cached?.serviceId === serviceId) return cached.line
  const line = `${JSON.stringify(serviceId)}:${JSON.stringify({ fingerprint: job.fingerprint, jobName: job.jobName })}`
  lineCache.set(job, { serviceId, line })
  return line
}

/** Deterministic text: the same record always renders the same bytes (so "changed?" is a string compare). */
export const renderOwnedJobs = (owned: OwnedJobs): string => {
  const lines = Object.entries(owned.jobs).map(([serviceId, job]) => lineOf(serviceId, job))
  return `{"format":${JSON.stringify(OWNERSHIP_FORMAT)},"jobs":{\n${lines.join(',\n')}${lines.length > 0 ? '\n' : ''}}}\n`
}
