/**
 * `npm run bench` (node --import=tsx bench/run.ts): runs every benchmark against real Redis, the
 * Kafka mock broker and the simulators with injected latencies, prints a table and writes
 * bench/results.md. Not part of `npm test`.
 *
 *   --quick        shorter runs (one run per figure, smaller sizes; ~3 minutes)
 *   --smoke        tiny sizes, proves the code runs (what test/bench/bench-smoke.spec.ts does)
 *   --only=B1,B4   just these benchmarks (B1..B13, C for capacity)
 *   --no-write     print only; leave bench/results.md alone
 *   --json-out=F   also write the figures as JSON to F (the runtime columns' re-run uses it)
 *   --no-runtimes  skip the runtime columns (B1, B4, B5 again under the engines floor's Node)
 *
 * BENCH_B9_SERVICES=N sets B9's number of creates (100,000 in the full mode, ~30 minutes on two cores).
 */
import { writeFile } from 'node:fs/promises'
import { RUNTIME_IDS } from './runtimes.js'
import { fileURLToPath } from 'node:url'
import type { BenchId } from './figure.js'
import type { Mode } from './sizes.js'
import { runSuite } from './suite.js'

const IDS: readonly BenchId[] = ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8', 'B9', 'B10', 'B11', 'B12', 'B13', 'C']

const main = async (argv: readonly string[]): Promise<number> => {
  const mode: Mode = argv.includes('--smoke') ? 'smoke' : argv.includes('--quick') ? 'quick' : 'full'
  const onlyArg = argv.find((a) => a.startsWith('--only='))
  const only = onlyArg
    ?.slice('--only='.length)
    .split(',')
    .map((s) => s.trim().toUpperCase())
  const unknown = only?.filter((id) => !IDS.includes(id as BenchId)) ?? []
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${IDS.join(', ')}`)
    return 2
  }
  const write = !argv.includes('--no-write') && mode !== 'smoke'
  const t0 = performance.now()
  const log = (line: string) => console.log(`[${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}`)
  const runtimes = !argv.includes('--no-runtimes') && (only === undefined || only.some((id) => RUNTIME_IDS.includes(id as BenchId)))
  const outcome = await runSuite({
    mode,
    command: ['npm run bench', ...argv].join(' '),
    log,
    runtimes,
    ...(only === undefined ? {} : { only: only as BenchId[] }),
  })
  console.log(`\n${outcome.table}\n`)
  const jsonOut = argv.find((a) => a.startsWith('--json-out='))?.slice('--json-out='.length)
  if (jsonOut !== undefined) await writeFile(jsonOut, JSON.stringify(outcome.figures))
  if (write) {
    const path = fileURLToPath(new URL('./results.md', import.meta.url))
    await writeFile(path, outcome.markdown)
    console.log(`wrote ${path}`)
  }
  return 0
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
