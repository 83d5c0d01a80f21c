/**
 * Readiness as cached facts: one small background loop per dependency runs its check every
 * `intervalMs` (each run bounded by `timeoutMs`) and writes `{ ok, reason, at }`; `/readyz` only
 * reads the facts. So a probe costs nothing, however often the kubelet asks on however many
 * replicas, and never waits on a slow dependency. A fact older than its loop can explain (a check
 * that stopped reporting) counts as not ready.
 */

export interface ReadinessFact {
  readonly ok: boolean
  /** why not ready (or what answered), short and free of credentials */
  readonly reason: string
  /** ISO time of the check that produced it */
  readonly at: string
}

export interface ReadinessCheck {
  readonly name: string
  readonly intervalMs: number
  /** resolves with what answered; rejects (or throws) with why not */
  readonly check: () => Promise<string>
}

export interface ReadinessChecks {
  /** the last fact of every check (a check not run yet: not ok, "not checked yet") */
  facts(): Readonly<Record<string, ReadinessFact>>
  /** a fact the process learns by itself (a consumer group joined or left): shown now, not at the check's next run */
  report(name: string, ok: boolean, reason: string): void
  stop(): void
}

export interface ReadinessOptions {
  /** bound on one run of a check; default 2000 ms */
  readonly timeoutMs?: number
  readonly now?: () => number
}

const TIMED_OUT = Symbol('timed out')

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error)).slice(0, 300)

/** One run: the check's answer, or its failure, or a time-out, as a fact. */
const runOnce = async (check: ReadinessCheck, timeoutMs: number, now: () => number): Promise<ReadinessFact> => {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), timeoutMs)
    timer.unref()
  })
  try {
    const answer = await Promise.race([Promise.resolve().then(check.check), timeout])
    const at = new Date(now()).toISOString()
    return answer === TIMED_OUT ? { ok: false, reason: `no answer within ${timeoutMs} ms`, at } : { ok: true, reason: answer, at }
  } catch (error) {
    return { ok: false, reason: messageOf(error), at: new Date(now()).toISOString() }
  } finally {
    clearTimeout(timer)
  }
}

export const startReadinessChecks = (checks: readonly ReadinessCheck[], options: ReadinessOptions = {}): ReadinessChecks => {
  const timeoutMs = options.timeoutMs ?? 2000
  const now = options.now ?? Date.now
  const started = new Date(now()).toISOString()
  const facts = new Map<string, ReadinessFact>(checks.map((c) => [c.name, { ok: false, reason: 'not checked yet', at: started }]))
  const timers = new Set<NodeJS.Timeout>()
  let stopped = false

  const loop = (check: ReadinessCheck): void => {
    void runOnce(check, timeoutMs, now).then((fact) => {
      if (stopped) return
      facts.set(check.name, fact)
      const timer = setTimeout(() => {
        timers.delete(timer)
        loop(check)
      }, check.intervalMs)
      timer.unref()
      timers.add(timer)
    })
  }
  for (const check of checks) loop(check)

  /** A loop reports at least every interval + timeout; three missed reports mean it is stuck. */
  const fresh = (check: ReadinessCheck, fact: ReadinessFact): ReadinessFact => {
    const age = now() - Date.parse(fact.at)
    const limit = 3 * (check.intervalMs + timeoutMs)
    return age <= limit ? fact : { ok: false, reason: `last checked ${Math.round(age / 1000)} s ago (${fact.reason})`, at: fact.at }
  }

  return {
    facts: () => Object.fromEntries(checks.map((c) => [c.name, fresh(c, facts.get(c.name) ?? { ok: false, reason: 'not checked yet', at: started })])),
    report: (name, ok, reason) => {
      if (!stopped && facts.has(name)) facts.set(name, { ok, reason, at: new Date(now()).toISOString() })
    },
    stop: () => {
      stopped = true
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
    },
  }
}
