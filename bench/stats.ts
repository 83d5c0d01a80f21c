/**
 * The small statistics the benchmarks report. Every figure is the median of several runs, so a
 * single noisy run (a GC pause, a slow group join) cannot decide PASS or MISS.
 */
import { until } from '../test/support/wait.js'

export const median = (values: readonly number[]): number => percentile(values, 50)

/** Nearest-rank percentile (p in [0, 100]); NaN for an empty sample. */
export const percentile = (values: readonly number[], p: number): number => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1] ?? Number.NaN
}

/** Calls `fn` `runs` times one after another and returns every result. */
export const repeat = async <T>(runs: number, fn: (run: number) => Promise<T>): Promise<T[]> => {
  const out: T[] = []
  for (let run = 0; run < runs; run += 1) out.push(await fn(run))
  return out
}

export { sleep } from '../dev/process-utils.js'

/** Polls `check` every `everyMs` until it is true; rejects with `what` after `timeoutMs`. */
export const waitUntil = (check: () => boolean | Promise<boolean>, timeoutMs: number, what: string, everyMs = 50): Promise<void> =>
  until(check, what, { timeoutMs, everyMs })

/** Runs `tasks` with at most `limit` in flight. */
export const pool = async <T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> => {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T
      next += 1
      await task(item)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

/** A counting semaphore: `run` waits for one of `limit` slots. */
export const semaphore = (limit: number) => {
  let free = limit
  const waiting: Array<() => void> = []
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (free === 0) await new Promise<void>((resolve) => waiting.push(resolve))
    else free -= 1
    try {
      return await fn()
    } finally {
      const wake = waiting.shift()
      if (wake === undefined) free += 1
      else wake()
    }
  }
}

export const fmt = (value: number, digits = 1): string =>
  Number.isFinite(value) ? value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 }) : 'n/a'
