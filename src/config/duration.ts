/**
 * Durations in the environment: `900`, `900s`, `15m`, `1h`, `7d` or `250ms` (a bare number is
 * seconds). Decoded to milliseconds between `minMs` and `maxMs`; encoded back in the largest unit
 * that divides it, so `configToEnv` round-trips.
 */
import * as t from 'io-ts'

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

const parseDurationMs = (s: string): number | undefined => {
  const m = /^(\d{1,12})(ms|s|m|h|d)?$/.exec(s.trim())
  if (m === null) return undefined
  return Number(m[1]) * (UNIT_MS[m[2] ?? 's'] ?? 1000)
}

export const formatDurationMs = (ms: number): string => {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit] ?? 1
    if (ms % size === 0) return `${ms / size}${unit}`
  }
  return `${ms}ms`
}

export const DurationFromString = (minMs: number, maxMs: number): t.Type<number, string, unknown> =>
  new t.Type<number, string, unknown>(
    `duration ${formatDurationMs(minMs)}-${formatDurationMs(maxMs)} (e.g. 900s, 15m, 1h, 7d; a bare number is seconds)`,
    (u): u is number => typeof u === 'number' && u >= minMs && u <= maxMs,
    (u, c) => {
      const ms = typeof u === 'string' ? parseDurationMs(u) : undefined
      return ms === undefined || ms < minMs || ms > maxMs ? t.failure(u, c) : t.success(ms)
    },
    formatDurationMs,
  )
