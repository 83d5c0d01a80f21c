import * as t from 'io-ts'
import { EventMeta, eventHead, hasEventHead, type EventFields } from './event-head.js'

/** The service's federation job is in the secret; `fingerprint` says which version of it. */
export const ScrapeJobRegistered = t.type(
  { ...EventMeta, type: t.literal('ScrapeJobRegistered'), jobName: t.string, fingerprint: t.string },
  'ScrapeJobRegistered',
)
export type ScrapeJobRegistered = t.TypeOf<typeof ScrapeJobRegistered>

export const scrapeJobRegistered = (e: EventFields<ScrapeJobRegistered>): ScrapeJobRegistered => ({
  ...eventHead('ScrapeJobRegistered', e),
  jobName: e.jobName,
  fingerprint: e.fingerprint,
})

/** `u` already is a decoded ScrapeJobRegistered (see hasEventHead). */
export const isDecodedScrapeJobRegistered = (u: unknown): u is ScrapeJobRegistered =>
  hasEventHead(u, 'ScrapeJobRegistered') && typeof u['jobName'] === 'string' && typeof u['fingerprint'] === 'string'
