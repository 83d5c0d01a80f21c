/**
 * A create's job is rendered twice: at the door, where `MAX_JOB_BYTES` is checked on the YAML the
 * writer would splice in, and again when the secret writer splices it, moments later. Rendering
 * is most of both (the `yaml` library builds a document per call), so the door's text is kept for
 * the writer. A render is a pure function of the job, so a kept text is always the right one;
 * bounded, oldest out first: a burst that outruns the memo only renders twice, as before.
 */
import { fragment } from './scrape-config-list.js'
import type { ScrapeJob } from './scrape-job.js'

/** A few bursts of lanes' worth (MAX_PARALLEL_SERVICES 1024): about 1 KiB a job, key and text. */
export const JOB_FRAGMENT_MEMO_SIZE = 4096

export const memoizedFragments = (render: (job: ScrapeJob) => string, size: number): ((job: ScrapeJob) => string) => {
  const kept = new Map<string, string>()
  return (job) => {
    // jobs are built by one function (jobOf), so equal jobs stringify with the same key order
    const key = JSON.stringify(job)
    const known = kept.get(key)
    if (known !== undefined) return known
    const text = render(job)
    if (kept.size >= size) kept.delete(kept.keys().next().value as string)
    kept.set(key, text)
    return text
  }
}

/** The job as a one-item YAML list (`fragment`), rendered once for the door and the writer. */
export const jobFragment = memoizedFragments(fragment, JOB_FRAGMENT_MEMO_SIZE)
