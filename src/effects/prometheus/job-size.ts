/**
 * The size a create's scrape job takes in the shared secret, measured with the renderer the
 * secret writer uses (the same YAML fragment, relabel rules and all), so `MAX_JOB_BYTES` bounds
 * what is really written and cannot drift from it when the job gains a field.
 */
import type { CreateDashboardRequest } from '../../codecs/requests.js'
import { jobOf } from '../desired-state.js'
import { jobFragment } from './job-fragment.js'
import type { ScrapeJob } from './scrape-job.js'

/** The bytes one job takes in the secret's list (its item, as the writer splices it in at column 0). */
export const jobBytes = (job: ScrapeJob): number => Buffer.byteLength(jobFragment(job), 'utf8')

export const renderedJobBytes = (payload: CreateDashboardRequest): number => jobBytes(jobOf(payload))
