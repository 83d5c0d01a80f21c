/**
 * The reliability suite's figures: every scenario records one row here, and a root `after` hook
 * (registered once, when the first reliability spec imports this module) writes them as the table
 * in docs/reliability.md at the end of the mocha run. Rows are recorded BEFORE a scenario asserts
 * its invariants, so a failing scenario still shows up in the table with what went wrong.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { FaultInjector } from '../../../dev/faults.js'
import type { InvariantReport } from '../../support/invariants.js'

export interface FigureRow {
  readonly scenario: string
  readonly requests: number
  /** faults the simulators or the test injected, by kind */
  readonly faults: Readonly<Record<string, number>>
  /** fuzzer inputs tried (messages generated), 0 for fixed scenarios */
  readonly inputs: number
  readonly lost: number
  readonly duplicateJobs: number
  readonly promtool: 'pass' | 'FAIL' | 'n/a'
  readonly seconds: number
  readonly notes: string
}

const rows: FigureRow[] = []
const startedAt = new Date()

/** Fault counts of one or more injectors, keyed `prefix:kind`. */
export const faultCounts = (injectors: Readonly<Record<string, FaultInjector>>, extra: Readonly<Record<string, number>> = {}): Record<string, number> => {
  const out: Record<string, number> = { ...extra }
  for (const [prefix, injector] of Object.entries(injectors)) {
    for (const [kind, n] of injector.injected) out[`${prefix}:${kind}`] = (out[`${prefix}:${kind}`] ?? 0) + n
  }
  return out
}

export const recordFigures = (row: FigureRow): void => {
  rows.push(row)
}

/** A fixed scenario's row: nothing lost, no duplicate job, no promtool run; the seconds since `startedAt`. */
export const recordCleanRun = (scenario: string, startedAt: number, row: Pick<FigureRow, 'requests' | 'faults' | 'inputs' | 'notes'>): void => {
  recordFigures({ scenario, ...row, lost: 0, duplicateJobs: 0, promtool: 'n/a', seconds: (Date.now() - startedAt) / 1000 })
}

/** Convenience: a row from an invariant report. */
export const rowFromReport = (
  scenario: string,
  report: InvariantReport,
  rest: { faults: Record<string, number>; seconds: number; notes?: string; inputs?: number },
): FigureRow => ({
  scenario,
  requests: report.requests,
  faults: rest.faults,
  inputs: rest.inputs ?? 0,
  lost: report.lost.length,
  duplicateJobs: report.duplicateJobs.length,
  promtool: report.promtool.ok ? 'pass' : 'FAIL',
  seconds: rest.seconds,
  notes: [`SUCCESS ${report.statusCounts.SUCCESS}, FAILURE ${report.statusCounts.FAILURE}`, rest.notes ?? ''].filter((s) => s !== '').join('; '),
})

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')

const renderFaults = (faults: Readonly<Record<string, number>>): string => {
  const entries = Object.entries(faults).filter(([, n]) => n > 0)
  if (entries.length === 0) return '0'
  const total = entries.reduce((sum, [, n]) => sum + n, 0)
  return `${total} (${entries.map(([k, n]) => `${k} ${n}`).join(', ')})`
}

export const renderTable = (list: readonly FigureRow[]): string => {
  const header =
    '| scenario | requests | faults injected | inputs tried | lost | duplicate jobs | promtool | time (s) | notes |\n|---|---:|---|---:|---:|---:|---|---:|---|'
  const body = list.map(
    (r) =>
      `| ${cell(r.scenario)} | ${r.requests} | ${cell(renderFaults(r.faults))} | ${r.inputs} | ${r.lost} | ${r.duplicateJobs} | ${r.promtool} | ${r.seconds.toFixed(1)} | ${cell(r.notes)} |`,
  )
  return [header, ...body].join('\n')
}

const document = (table: string): string => `# Reliability figures

Written by the reliability suite (\`test/reliability/*.spec.ts\`) at the end of its last run
(${startedAt.toISOString()}, Node ${process.version}; ${rows.length} scenarios ran in it, rows of the others are
kept from earlier runs). Do not edit by
hand: run \`npx mocha 'test/reliability/**/*.spec.ts'\` (or the whole suite) to refresh it.

- **lost**: accepted requests without any result on the result topics.
- **duplicate jobs**: \`job_name\`s present more than once in the secret at the end.
- **promtool**: \`promtool check config\` on the secret's final value.
- A scenario whose row shows a non-zero *lost*/*duplicate* or a promtool FAIL also failed its test.

${table}
`

const scenarioOf = (line: string): string => (line.split(/(?<!\\)\|/)[1] ?? '').trim()

/**
 * The table rows of this run, plus the rows of scenarios that did not run this time (kept from
 * the file), so running one spec file refreshes its rows without dropping the others.
 */
const mergedTable = (previous: string): string => {
  const [header, separator, ...fresh] = renderTable(rows).split('\n')
  const ran = new Set(fresh.map(scenarioOf))
  const kept = previous.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| scenario |') && !ran.has(scenarioOf(line)))
  return [header, separator, ...kept, ...fresh].join('\n')
}

/** Registered once per run, on the root suite: writes the table after every spec file finished. */
after(function writeFiguresTable() {
  if (rows.length === 0) return
  const path = resolve('docs/reliability.md')
  const previous = existsSync(path) ? readFileSync(path, 'utf8') : ''
  writeFileSync(path, document(mergedTable(previous)), 'utf8')
})
