/**
 * How a spec starts `telemetry-client` as a real process. `npm test` builds dist/ first and sets
 * TEST_SPAWN_BUILT=1: the built entry starts about a second sooner than the sources through tsx,
 * which adds up over the ~100 processes the integration run starts. A spec run by hand (no build
 * before it) uses the sources, so it never runs a stale dist/.
 */
import { resolve } from 'node:path'

export const cliEntryArgs = (): readonly string[] =>
  process.env['TEST_SPAWN_BUILT'] === '1' ? [resolve('dist/src/cli/main.js')] : ['--import', 'tsx', resolve('src/cli/main.ts')]
