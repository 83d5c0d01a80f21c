/**
 * The runtime columns: B1, B4 and B5 measured on the shipped Node (this process) and, in the same
 * bench run, on the `engines` floor, by re-running the bench under the floor's binary from
 * scripts/ensure-node.sh's cache. A regression from the runtime change shows as a ratio.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, readFile } from 'node:fs/promises'
import { homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { BenchId, Figure } from './figure.js'
import type { Mode } from './sizes.js'
import { fmt } from './stats.js'

export const RUNTIME_IDS: readonly BenchId[] = ['B1', 'B4', 'B5']

/** The floor's version: scripts/ensure-node.sh's FLOOR_NODE_VERSION. */
const floorVersion = async (): Promise<string | undefined> => {
  const script = await readFile(new URL('../scripts/ensure-node.sh', import.meta.url), 'utf8').catch(() => '')
  return /^FLOOR_NODE_VERSION=(\S+)/m.exec(script)?.[1]
}

/** The floor's node binary: BENCH_FLOOR_NODE, else ensure-node.sh's cache; undefined when absent. */
export const floorNode = async (): Promise<{ readonly path: string; readonly version: string } | undefined> => {
  const override = process.env['BENCH_FLOOR_NODE']
  const version = await floorVersion()
  if (override !== undefined && override !== '') return { path: override, version: version ?? 'floor' }
  if (version === undefined) return undefined
  const cache = process.env['TELEMETRY_NODE_CACHE'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'telemetry-client', 'node')
  const path = join(cache, version, 'bin', 'node')
  return existsSync(path) ? { path, version } : undefined
}

export interface RuntimeColumns {
  readonly floor: string
  readonly figures: readonly Figure[]
}

/** Runs `bench/run.ts --MODE --only=IDS --no-write --json-out=...` under the floor's node. */
export const runUnderFloor = async (mode: Mode, ids: readonly BenchId[], log: (line: string) => void): Promise<RuntimeColumns | undefined> => {
  const floor = await floorNode()
  if (floor === undefined) {
    log('runtime columns: no floor Node in the cache (bash scripts/ensure-node.sh installs it); skipped')
    return undefined
  }
  const out = join(await mkdtemp(join(tmpdir(), 'telemetry-client-floor-')), 'figures.json')
  log(`runtime columns: re-running ${ids.join(', ')} under Node ${floor.version} (${floor.path})`)
  await promisify(execFile)(
    floor.path,
    ['--import=tsx', 'bench/run.ts', `--${mode}`, `--only=${ids.join(',')}`, '--no-write', `--json-out=${out}`, '--no-runtimes'],
    {
      env: process.env,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 3_600_000,
    },
  )
  return { floor: floor.version, figures: JSON.parse(await readFile(out, 'utf8')) as Figure[] }
}

/** Markdown: one row per figure measured on both runtimes. */
export const runtimeTable = (shipped: readonly Figure[], columns: RuntimeColumns): string => {
  const rows = shipped
    .filter((f) => RUNTIME_IDS.includes(f.id))
    .flatMap((f) => {
      const other = columns.figures.find((g) => g.id === f.id && g.name === f.name)
      return other === undefined
        ? []
        : [`| ${f.id} | ${f.name} | ${fmt(f.value, 2)} ${f.unit} | ${fmt(other.value, 2)} ${other.unit} | x${fmt(f.value / other.value, 2)} |`]
    })
  return [
    '## Runtimes: shipped Node vs the engines floor (same run)',
    '',
    "The ratio is shipped / floor: for a rate (/s) above 1 means the shipped Node is faster, for a time (ms) below 1 does. The floor's figures come from a second bench process started after this one's, on its own Redis and Kafka mock.",
    '',
    `| id | figure | Node ${process.version} | Node v${columns.floor} | shipped / floor |`,
    '|---|---|---:|---:|---:|',
    ...rows,
    '',
  ].join('\n')
}
