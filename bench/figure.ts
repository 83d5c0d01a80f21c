/** One reported figure: what was measured, against which target, with every run's value. */
export type BenchId = 'B1' | 'B2' | 'B3' | 'B4' | 'B5' | 'B6' | 'B7' | 'B8' | 'B9' | 'B10' | 'B11' | 'B12' | 'B13' | 'C'

export interface Figure {
  readonly id: BenchId
  /** what the number is, e.g. "service: sustained creates/s, publish → result (base)" */
  readonly name: string
  /** the reported value (median of the runs) */
  readonly value: number
  readonly unit: string
  /** the target as the issue states it; '' for an informative figure */
  readonly target: string
  /** undefined for an informative figure (no target of its own) */
  readonly pass: boolean | undefined
  /** each run's value, in order */
  readonly runs: readonly number[]
  /** ratios, sizes, how it was measured */
  readonly notes: readonly string[]
  /** for a miss: why, and the CPU profile's top self-time functions (markdown) */
  reason?: string
  profile?: string
  /** markdown shown under "Details" whatever the verdict (breakdowns) */
  detail?: string
}

export const informative = (id: BenchId, name: string, value: number, unit: string, runs: readonly number[], notes: readonly string[] = []): Figure => ({
  id,
  name,
  value,
  unit,
  target: '',
  pass: undefined,
  runs,
  notes,
})
