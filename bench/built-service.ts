/**
 * The service as the image runs it: the sources compiled by tsc (`tsconfig.build.json`, as the
 * Dockerfile's build stage does) and started with plain `node`, not through tsx. The bench
 * compiles once per run into `.bench/dist` (git-ignored; `npm run build`'s `dist/` is left alone,
 * the integration tests may be using it), so CPU and memory figures are those of the shipped code.
 */
import { execFile } from 'node:child_process'
import { rm } from 'node:fs/promises'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { builtEntry } from '../test/support/cli-entry.js'

const OUT_DIR = resolve('.bench/dist')
/** the CLI entry point inside OUT_DIR (tsc keeps the `src/` level: rootDir is the project) */
export const BUILT_MAIN = resolve(OUT_DIR, 'src/cli/main.js')

let compiled: Promise<string> | undefined

/**
 * Compiles the service once per bench process; resolves with the path `node` runs. Under the
 * test suite with TEST_SPAWN_BUILT=1 (`npm test` has just run `npm run build`), its `dist/` is
 * that same build: the bench smoke uses it instead of compiling again (once it is known to be fresh).
 */
export const builtService = (): Promise<string> => {
  if (process.env['TEST_SPAWN_BUILT'] === '1') return Promise.resolve().then(builtEntry)
  compiled ??= (async () => {
    await rm(OUT_DIR, { recursive: true, force: true })
    // node_modules next to .bench/ resolves the packages exactly as for dist/
    await promisify(execFile)(process.execPath, [resolve('node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', OUT_DIR], {
      maxBuffer: 16 * 1024 * 1024,
    })
    return BUILT_MAIN
  })()
  return compiled
}
