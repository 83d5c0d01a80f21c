import { DEFAULTS } from '../src/config/config.js'

/**
 * The MAX_PARALLEL_SERVICES values the bench compares (B1, B3, B11) and the service's default
 * (read from src/config/config.ts, so the bench always measures what ships). The default is chosen from these rows:
 * B3's coalescing (1,000 creates at once in <= 5 secret writes) needs a burst admitted at once,
 * and B11's CPU per create does not tell 512 and 1024 apart beyond the run-to-run spread.
 */
export const DEFAULT_LANES: number = DEFAULTS.MAX_PARALLEL_SERVICES
export const LANE_BOUNDS = [256, 512, 1024] as const
/** B1's informative comparison run */
export const FEWER_LANES = 512
