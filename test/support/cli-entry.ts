/**
 * How a spec starts `telemetry-client` as a real process. `npm test` builds dist/ first and sets
 * TEST_SPAWN_BUILT=1: the built entry starts about a second sooner than the sources through tsx,
 * which adds up over the ~100 processes the integration run starts. A spec run by hand (no build
 * before it) uses the sources, so it never runs a stale dist/.
 */
import { readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'

const BUILT_MAIN = resolve('dist/src/cli/main.js')

const newestMtimeMs = (dir: string): number =>
  Math.max(
    0,
    ...readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.ts'))
      .map((name) => statSync(join(dir, name)).mtimeMs),
  )

let checked: string | undefined

/**
 * dist/'s entry, once it is known to be at least as new as every file under src/: with
 * TEST_SPAWN_BUILT=1 set by hand after an edit, a spec would otherwise test yesterday's build.
 */
export const builtEntry = (): string => {
  if (checked !== undefined) return checked
  const built = statSync(BUILT_MAIN, { throwIfNoEntry: false })?.mtimeMs
  if (built === undefined) throw new Error(`TEST_SPAWN_BUILT=1 but ${BUILT_MAIN} is missing: run \`npm run build\` first`)
  if (newestMtimeMs(resolve('src')) > built) throw new Error('TEST_SPAWN_BUILT=1 but src/ changed after dist/ was built: run `npm run build` first')
  checked = BUILT_MAIN
  return checked
}

export const cliEntryArgs = (): readonly string[] =>
  process.env['TEST_SPAWN_BUILT'] === '1' ? [builtEntry()] : ['--import', 'tsx', resolve('src/cli/main.ts')]
