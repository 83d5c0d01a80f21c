/**
 * Publish → result timing for one run: every published request's answer is awaited on the
 * collector, and the run yields the throughput (requests over the span from the first publish to
 * the last answer), every request's latency and how many answers were not SUCCESS.
 */
import type { BenchInfra } from './infra.js'

export interface TimedRun {
  /** requests per second, first publish → last answer */
  readonly rate: number
  /** ms from publish to answer, one per request */
  readonly latencies: readonly number[]
  readonly failures: number
  readonly spanMs: number
}

export const timeAnswers = async (infra: BenchInfra, publish: () => Promise<Map<string, number>>, timeoutMs: number): Promise<TimedRun> => {
  const published = await publish()
  const refs = [...published.keys()]
  await infra.collector.waitForResults(refs, timeoutMs)
  let first = Number.POSITIVE_INFINITY
  let last = 0
  let failures = 0
  const latencies = refs.map((ref) => {
    const sent = published.get(ref) ?? 0
    const seen = infra.collector.results.get(ref)
    if (seen === undefined) throw new Error(`no answer for ${ref}`)
    if (seen.status !== 'SUCCESS') failures += 1
    first = Math.min(first, sent)
    last = Math.max(last, seen.at)
    return seen.at - sent
  })
  const spanMs = last - first
  return { rate: (refs.length / spanMs) * 1000, latencies, failures, spanMs }
}
