import * as t from 'io-ts'
import { EventMeta, eventHead, hasEventHead, type EventFields } from './event-head.js'

/** The job named after the service is no longer in the secret (`wasPresent`: whether we removed it). */
export const ScrapeJobRemoved = t.type({ ...EventMeta, type: t.literal('ScrapeJobRemoved'), jobName: t.string, wasPresent: t.boolean }, 'ScrapeJobRemoved')
export type ScrapeJobRemoved = t.TypeOf<typeof ScrapeJobRemoved>

export const scrapeJobRemoved = (e: EventFields<ScrapeJobRemoved>): ScrapeJobRemoved => ({
  ...eventHead('ScrapeJobRemoved', e),
  jobName: e.jobName,
  wasPresent: e.wasPresent,
})

/** `u` already is a decoded ScrapeJobRemoved (see hasEventHead). */
export const isDecodedScrapeJobRemoved = (u: unknown): u is ScrapeJobRemoved =>
  hasEventHead(u, 'ScrapeJobRemoved') && typeof u['jobName'] === 'string' && typeof u['wasPresent'] === 'boolean'
