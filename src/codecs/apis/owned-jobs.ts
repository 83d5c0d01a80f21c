/**
 * The ownership record kept next to the scrape list, in the same Secret under the key
 * `telemetry-client.owned.json` (Prometheus never reads it). It is written in the same PUT as the
 * list, so one resourceVersion covers both: a crash cannot split them and a second replica sees
 * exactly what the first one owns.
 *
 * Format, version 1 (JSON, one serviceId per line so a diff of the Secret stays readable, in the
 * order they were recorded):
 *
 *   {"format":"telemetry-client.owned/v1","jobs":[
 *   "<serviceId>",
 *   "<serviceId>"
 *   ]}
 *
 * The service names a job after its service (`job_name` = serviceId), so the list of serviceIds
 * is the list of owned `job_name`s. It is deliberately small (about 40 bytes a job, against about
 * 300 for the job itself): the Secret's 1 MiB holds both keys. A job of the list is the service's
 * own if and only if its `job_name` is in here; every other item belongs to somebody else.
 */
import * as t from 'io-ts'
import { left, right, type Either } from 'fp-ts/lib/Either.js'
import { decodeWith, formatFailure } from '../decode.js'

export const OWNERSHIP_KEY = 'telemetry-client.owned.json'
export const OWNERSHIP_FORMAT = 'telemetry-client.owned/v1'

export const OwnedJobs = t.type({ format: t.literal(OWNERSHIP_FORMAT), jobs: t.readonlyArray(t.string) }, 'OwnedJobs')
export type OwnedJobs = t.TypeOf<typeof OwnedJobs>

const decodeOwnedJobs = decodeWith(OwnedJobs)

/** The key's text → the owned serviceIds; an absent or empty key means nothing is owned yet. */
export const parseOwnedJobs = (text: string | undefined): Either<string, ReadonlySet<string>> => {
  if (text === undefined || text.trim() === '') return right(new Set())
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return left(`${OWNERSHIP_KEY} is not valid JSON`)
  }
  const decoded = decodeOwnedJobs(value)
  return decoded._tag === 'Left' ? left(`${OWNERSHIP_KEY}: ${formatFailure(decoded.left)}`) : right(new Set(decoded.right.jobs))
}

/** serviceIds are validated to these characters, which need no JSON escaping (the fast path keeps B4 in budget). */
const PLAIN = /^[A-Za-z0-9_.-]*$/

/** Deterministic text: the same record always renders the same bytes (so "changed?" is a string compare). */
export const renderOwnedJobs = (serviceIds: ReadonlySet<string>): string => {
  const lines: string[] = []
  for (const id of serviceIds) lines.push(PLAIN.test(id) ? `"${id}"` : JSON.stringify(id))
  return `{"format":${JSON.stringify(OWNERSHIP_FORMAT)},"jobs":[\n${lines.join(',\n')}${lines.length > 0 ? '\n' : ''}]}\n`
}
