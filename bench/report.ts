/**
 * The outputs: a plain table on stdout and bench/results.md (machine, date, every figure with its
 * target, PASS/MISS, the ratios, and for each miss the reason and the CPU profile evidence).
 */
import { cpus, release, totalmem } from 'node:os'
import type { Figure } from './figure.js'
import type { LatencyProfile } from './profiles.js'
import type { Sizes } from './sizes.js'
import { fmt } from './stats.js'

export interface Machine {
  readonly cpu: string
  readonly cores: number
  readonly memoryGiB: number
  readonly node: string
  readonly os: string
  readonly date: string
}

export const machine = (): Machine => ({
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: totalmem() / 1024 ** 3,
  node: process.version,
  os: `${process.platform} ${release()}`,
  date: new Date().toISOString(),
})

const verdict = (f: Figure): string => (f.pass === undefined ? '' : f.pass ? 'PASS' : 'MISS')
const digitsFor = (f: Figure): number => (f.unit === 'ms' ? 3 : f.value < 10 ? 2 : f.value < 1000 ? 1 : 0)
const valueText = (f: Figure): string => `${fmt(f.value, digitsFor(f))} ${f.unit}`

export const table = (figures: readonly Figure[]): string => {
  const rows = figures.map((f) => [f.id, f.name, valueText(f), f.target, verdict(f)])
  const widths = [0, 1, 2, 3, 4].map((c) => Math.max(...rows.map((r) => (r[c] ?? '').length), ['id', 'figure', 'value', 'target', 'result'][c]?.length ?? 0))
  const line = (cells: readonly string[]) => cells.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ')
  return [line(['id', 'figure', 'value', 'target', 'result']), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

export interface ReportInput {
  readonly figures: readonly Figure[]
  readonly machine: Machine
  readonly sizes: Sizes
  readonly profiles: readonly LatencyProfile[]
  readonly durationS: number
  readonly command: string
  /** extra markdown (analysis, capacity) appended as is */
  readonly analysis: string
}

const details = (figures: readonly Figure[]): string[] => {
  const shown = figures.filter((f) => f.detail !== undefined)
  return shown.length === 0 ? [] : ['## Details', '', ...shown.flatMap((f) => [`### ${f.id}: ${f.name}`, '', f.detail ?? '', ''])]
}

export const markdown = (input: ReportInput): string => {
  const { figures, machine: m, sizes } = input
  const misses = figures.filter((f) => f.pass === false)
  const body = figures.map(
    (f) => `| ${f.id} | ${f.name} | ${valueText(f)} | ${f.target} | ${verdict(f)} | ${f.runs.map((r) => fmt(r, digitsFor(f))).join(', ')} |`,
  )
  const notes = figures.filter((f) => f.notes.length > 0).map((f) => `- **${f.id} ${f.name}**: ${f.notes.join('; ')}`)
  const missSections = misses.map((f) =>
    [
      `### ${f.id}: ${f.name} (MISS: ${valueText(f)}, target ${f.target})`,
      '',
      f.reason ?? '_no analysis recorded_',
      '',
      ...(f.profile === undefined ? [] : ['CPU profile:', '', f.profile, '']),
    ].join('\n'),
  )
  return [
    '# Benchmark results',
    '',
    `Written by \`${input.command}\` (mode \`${sizes.mode}\`, ${sizes.runs} run(s) per figure, medians reported) in ${fmt(input.durationS, 0)} s.`,
    '',
    `- Machine: ${m.cpu}, ${m.cores} cores, ${fmt(m.memoryGiB, 1)} GiB RAM, ${m.os}`,
    `- Node.js ${m.node}`,
    `- Date: ${m.date}`,
    `- Everything on this machine: real redis-server, librdkafka's mock Kafka broker (kcat), the Kubernetes and Grafana simulators, and the service in one Node.js process with the bench's producer and result consumer.`,
    ...input.profiles.map((p) => `- Latency profile \`${p.name}\`: ${p.describe}`),
    '',
    '| id | figure | value | target | result | runs |',
    '|---|---|---:|---|---|---|',
    ...body,
    '',
    '## How each figure was measured',
    '',
    ...notes,
    '',
    ...(misses.length === 0 ? [] : ['## Misses: why, and what bounds them', '', ...missSections]),
    ...details(figures),
    input.analysis,
  ].join('\n')
}
