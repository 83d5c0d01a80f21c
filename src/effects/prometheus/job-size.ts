/**
 * The size a create's scrape job takes in the shared secret, measured with the renderer the
 * secret writer uses (the same YAML fragment, relabel rules and all), so `MAX_JOB_BYTES` bounds
 * what is really written and cannot drift from it when the job gains a field.
 */
import type { CreateDashboardRequest } from '../../codecs/requests.js'
import { jobOf } from '../desired-state.js'
import { applyEdits, emptyScrapeConfigList, renderScrapeConfigList } from './scrape-config-list.js'

export const renderedJobBytes = (payload: CreateDashboardRequest): number =>
  Buffer.byteLength(renderScrapeConfigList(applyEdits(emptyScrapeConfigList, [{ op: 'upsert', job: jobOf(payload) }])), 'utf8')
