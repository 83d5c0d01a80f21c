/**
 * How big each benchmark runs. `full` is what bench/results.md holds (about 10 minutes on two
 * cores, plus about half an hour for the 100,000-service rows B9 and B10); `quick` is a shorter look; `smoke` only proves the code still runs (the smoke spec).
 */
export type Mode = 'full' | 'quick' | 'smoke'

export interface Sizes {
  readonly mode: Mode
  /** repetitions whose median is reported */
  readonly runs: number
  /** B1: creates for the service, for baseline A (sequential), for baseline B (naive concurrent) */
  readonly b1Service: number
  readonly b1BaselineA: number
  readonly b1BaselineB: number
  /** B2: seconds of paced publishing at half of B1's rate */
  readonly b2Seconds: number
  /** B3: creates published at once */
  readonly b3Creates: number
  /** B4: size of the secret to edit, and timed edits */
  readonly b4Bytes: number
  readonly b4Iterations: number
  /** B5: events written and replayed, across this many services */
  readonly b5Events: number
  readonly b5Services: number
  /** B6: tracked serviceIds (idle lanes) and the idle release delay */
  readonly b6Services: number
  readonly b6IdleMs: number
  /** B7: malformed messages and valid creates interleaved with them */
  readonly b7Malformed: number
  readonly b7Valid: number
  /** B8: create/delete cycles of one service, and services for the retention total */
  readonly b8Cycles: number
  readonly b8Services: number
  /** B9: creates through the service in scrapeconfig mode, and in secret mode at a size the secret holds (the ratio's base) */
  readonly b9Services: number
  readonly b9SecretServices: number
  /** B10: services seeded in Redis before a start-up, and how many of them still owe work */
  readonly b10Services: number
  readonly b10Pending: number
  /** B13: creates through the per-request tracing path per run (untraced, off, on) */
  readonly b13Requests: number
  /** the latency profiles B1/B2 run under (the heavy tail is skipped in smoke) */
  readonly heavyTail: boolean
  /** capture a CPU profile of a missed target */
  readonly profileMisses: boolean
}

/** BENCH_B9_SERVICES overrides B9's N (a shorter full-size look, or a longer one) */
export const sizesFor = (mode: Mode): Sizes => {
  const sizes = sizesOf(mode)
  const b9 = Number(process.env['BENCH_B9_SERVICES'] ?? '')
  return Number.isInteger(b9) && b9 > 0 ? { ...sizes, b9Services: b9 } : sizes
}

const sizesOf = (mode: Mode): Sizes => {
  switch (mode) {
    case 'full':
      return {
        mode,
        runs: 3,
        b1Service: 1200,
        b1BaselineA: 25,
        b1BaselineB: 120,
        b2Seconds: 8,
        b3Creates: 1000,
        b4Bytes: 1_000_000,
        b4Iterations: 300,
        b5Events: 200_000,
        b5Services: 1000,
        b6Services: 100_000,
        b6IdleMs: 4000,
        b7Malformed: 20_000,
        b7Valid: 200,
        b8Cycles: 1000,
        b8Services: 10_000,
        b9Services: 100_000,
        b9SecretServices: 2000,
        b10Services: 100_000,
        b10Pending: 1000,
        b13Requests: 3000,
        heavyTail: true,
        profileMisses: true,
      }
    case 'quick':
      return {
        mode,
        runs: 1,
        b1Service: 600,
        b1BaselineA: 15,
        b1BaselineB: 100,
        b2Seconds: 5,
        b3Creates: 1000,
        b4Bytes: 1_000_000,
        b4Iterations: 100,
        b5Events: 50_000,
        b5Services: 250,
        b6Services: 100_000,
        b6IdleMs: 4000,
        b7Malformed: 5000,
        b7Valid: 50,
        b8Cycles: 1000,
        b8Services: 2000,
        b9Services: 2000,
        b9SecretServices: 1000,
        b10Services: 10_000,
        b10Pending: 100,
        b13Requests: 1500,
        heavyTail: true,
        profileMisses: false,
      }
    case 'smoke':
      return {
        mode,
        runs: 1,
        b1Service: 20,
        b1BaselineA: 3,
        b1BaselineB: 6,
        b2Seconds: 1,
        b3Creates: 20,
        b4Bytes: 50_000,
        b4Iterations: 5,
        b5Events: 2000,
        b5Services: 20,
        b6Services: 2000,
        b6IdleMs: 300,
        b7Malformed: 100,
        b7Valid: 3,
        b8Cycles: 5,
        b8Services: 20,
        b9Services: 20,
        b9SecretServices: 10,
        b10Services: 50,
        b10Pending: 5,
        b13Requests: 30,
        heavyTail: false,
        profileMisses: false,
      }
  }
}
