/**
 * Hedged reads: when a read has not answered after about the p95 of recent reads of its kind, a
 * second identical read is sent; the first answer wins and the other copy is aborted. One slow
 * server answer (a GC pause, a busy apiserver replica) then costs ~p95 instead of its full time.
 *
 * Only for reads: a late duplicate of a write could land after an undo or a delete, and a PUT with
 * a resourceVersion is not idempotent. Extra calls are capped (at most `maxExtraRatio` of the calls
 * in the last `budgetWindowMs`, but `minExtraPerWindow` even when traffic is low, so a quiet hour
 * does not turn hedging off), and no hedge is sent for `quietMs` after a distress answer
 * (5xx, 429, timeout: the caller says which), because a second copy only adds load to a server
 * that is failing or throttling.
 */

export interface HedgePolicy {
  /** hedge after this percentile of the kind's recent latencies (default 95) */
  readonly percentile: number
  /** latencies kept per kind (default 200) */
  readonly samples: number
  /** no hedge for a kind until this many latencies are known (default 20) */
  readonly minSamples: number
  /** extra calls allowed, as a fraction of all calls in the budget window (default 0.05) */
  readonly maxExtraRatio: number
  /** extra calls allowed per window whatever the traffic (default 1): the ratio alone forbids any hedge below 20 calls */
  readonly minExtraPerWindow: number
  /** the sliding window of the budget (default 30 s) */
  readonly budgetWindowMs: number
  /** no hedge for this long after a distress answer (default 10 s) */
  readonly quietMs: number
}

export const defaultHedgePolicy: HedgePolicy = {
  percentile: 95,
  samples: 200,
  minSamples: 20,
  maxExtraRatio: 0.05,
  minExtraPerWindow: 1,
  budgetWindowMs: 30_000,
  quietMs: 10_000,
}

/** HEDGE_MAX_EXTRA_RATIO as a policy: 0 turns hedging off, floor included. */
export const hedgePolicyFor = (maxExtraRatio: number): Partial<HedgePolicy> =>
  maxExtraRatio === 0 ? { maxExtraRatio: 0, minExtraPerWindow: 0 } : { maxExtraRatio }

/** How one copy ended, for the caller's distress test. */
export type ReadOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown }

export interface HedgeCounts {
  /** reads started (first copies) */
  calls: number
  /** second copies sent */
  sent: number
  /** second copies whose answer (a value, or a failure that is not distress such as a 404) was used */
  won: number
  /** second copies due but not sent: the budget was spent */
  budgetSpent: number
  /** second copies due but not sent: the server answered with distress recently */
  quiet: number
}

export interface Hedger {
  /**
   * Runs `read` (which must honour the signal) and maybe one hedged copy of it. `distress` tells
   * a failing or throttling server's answer (default: any rejection).
   */
  read<T>(kind: string, read: (signal: AbortSignal) => Promise<T>, distress?: (outcome: ReadOutcome<T>) => boolean): Promise<T>
  /** cumulative counts per kind (for metrics) */
  readonly counts: ReadonlyMap<string, Readonly<HedgeCounts>>
}

export interface HedgerOptions {
  readonly policy?: Partial<HedgePolicy>
  readonly now?: () => number
}

const rejected = <T>(outcome: ReadOutcome<T>): boolean => !outcome.ok

/** The p-th percentile (nearest rank) of the samples. */
const percentileOf = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0
}

export const createHedger = (options: HedgerOptions = {}): Hedger => {
  const policy: HedgePolicy = { ...defaultHedgePolicy, ...options.policy }
  const now = options.now ?? (() => performance.now())
  const latencies = new Map<string, number[]>()
  const counts = new Map<string, HedgeCounts>()
  /** start times of calls and of hedges in the budget window (all kinds: one server, one budget) */
  const calls: number[] = []
  const hedges: number[] = []
  let quietUntil = Number.NEGATIVE_INFINITY

  const prune = (at: number): void => {
    const from = at - policy.budgetWindowMs
    while (calls.length > 0 && (calls[0] ?? 0) < from) calls.shift()
    while (hedges.length > 0 && (hedges[0] ?? 0) < from) hedges.shift()
  }
  const record = (kind: string, ms: number): void => {
    const list = latencies.get(kind) ?? []
    list.push(ms)
    if (list.length > policy.samples) list.shift()
    latencies.set(kind, list)
  }
  const countsOf = (kind: string): HedgeCounts => {
    const existing = counts.get(kind)
    if (existing !== undefined) return existing
    const fresh = { calls: 0, sent: 0, won: 0, budgetSpent: 0, quiet: 0 }
    counts.set(kind, fresh)
    return fresh
  }
  const hedgeDelay = (kind: string): number | undefined => {
    const list = latencies.get(kind) ?? []
    return list.length < policy.minSamples ? undefined : Math.max(1, percentileOf(list, policy.percentile))
  }
  /** why a due hedge may not be sent now, if it may not */
  const holdBack = (at: number): 'quiet' | 'budgetSpent' | undefined => {
    prune(at)
    if (at < quietUntil) return 'quiet'
    const allowed = Math.max(policy.minExtraPerWindow, policy.maxExtraRatio * calls.length)
    return hedges.length + 1 <= allowed ? undefined : 'budgetSpent'
  }

  const read = <T>(kind: string, run: (signal: AbortSignal) => Promise<T>, distress: (outcome: ReadOutcome<T>) => boolean = rejected): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const started = now()
      // pruned here too, not only when a hedge is considered: the window must not grow with every read
      prune(started)
      calls.push(started)
      const tally = countsOf(kind)
      tally.calls += 1
      const copies: Array<{ controller: AbortController; started: number; done: boolean }> = []
      let settled = false
      let firstFailure: ReadOutcome<T> | undefined

      const finish = (index: number, outcome: ReadOutcome<T>): void => {
        const copy = copies[index]
        if (copy === undefined || copy.done || settled) return
        copy.done = true
        const at = now()
        const troubled = distress(outcome)
        if (troubled) quietUntil = at + policy.quietMs
        else record(kind, at - copy.started)
        // a distress failure is not an answer while the other copy may still bring one
        const otherPending = copies.some((c) => !c.done)
        if (troubled && !outcome.ok && otherPending) {
          firstFailure ??= outcome
          return
        }
        settled = true
        clearTimeout(timer)
        // a 404 is an answer like a 200 (a new service's object is absent): it wins too
        if (index === 1 && !troubled) tally.won += 1
        for (const other of copies) {
          if (other.done) continue
          // the abandoned copy took at least this long: a lower bound keeps the percentile honest
          record(kind, at - other.started)
          other.controller.abort()
        }
        const result = outcome.ok || firstFailure === undefined ? outcome : firstFailure
        if (result.ok) resolve(result.value)
        else reject(result.error instanceof Error ? result.error : new Error(String(result.error)))
      }
      const launch = (): void => {
        const controller = new AbortController()
        const index = copies.length
        copies.push({ controller, started: now(), done: false })
        let attempt: Promise<T>
        try {
          attempt = run(controller.signal)
        } catch (error) {
          attempt = Promise.reject(error instanceof Error ? error : new Error(String(error)))
        }
        attempt.then(
          (value) => finish(index, { ok: true, value }),
          (error: unknown) => finish(index, { ok: false, error }),
        )
      }

      const delay = hedgeDelay(kind)
      const hedge = (): void => {
        const at = now()
        if (settled) return
        const reason = holdBack(at)
        if (reason !== undefined) {
          tally[reason] += 1
          return
        }
        hedges.push(at)
        tally.sent += 1
        launch()
      }
      launch()
      // finish() only runs once a copy's promise settles (a later microtask), so after this line
      const timer = delay === undefined ? undefined : setTimeout(hedge, delay)
    })

  return { read, counts }
}
