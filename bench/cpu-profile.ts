/**
 * CPU profiles of missed targets, taken with V8's sampling profiler through the inspector (the
 * same profiler and the same .cpuprofile format as `node --cpu-prof`, but around just the part
 * that missed). The summary lists the functions with the most self time.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import type { Profiler, Runtime } from 'node:inspector'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'

export interface ProfileSummary {
  readonly file: string
  readonly markdown: string
}

const where = (frame: Runtime.CallFrame): string => {
  if (frame.url === '') return ''
  const path = frame.url.startsWith('file://') ? new URL(frame.url).pathname : frame.url
  const short = path.includes('/node_modules/') ? path.slice(path.lastIndexOf('/node_modules/') + 14) : relative(process.cwd(), path)
  return `${short}:${frame.lineNumber + 1}`
}

/** `immer`, `src/state/evolve.ts`, `(garbage collector)`, `node:internal/...`: where self time is charged by group. */
const groupOf = (frame: Runtime.CallFrame, name: string): string => {
  if (frame.url === '') return name.startsWith('(') ? name : '(native)'
  const path = frame.url.startsWith('file://') ? new URL(frame.url).pathname : frame.url
  const at = path.lastIndexOf('/node_modules/')
  if (at >= 0) {
    const parts = path.slice(at + 14).split('/')
    return (parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : parts[0]) ?? path
  }
  return path.startsWith('node:') ? 'node internals' : relative(process.cwd(), path)
}

/** Self time per function (by name and location), the top `top` of them, as markdown rows. */
export const summarizeProfile = (profile: Profiler.Profile, top = 12): string => {
  const hits = new Map<string, number>()
  const groups = new Map<string, number>()
  let total = 0
  let idle = 0
  for (const node of profile.nodes) {
    const count = node.hitCount ?? 0
    const name = node.callFrame.functionName === '' ? '(anonymous)' : node.callFrame.functionName
    if (name === '(idle)') {
      idle += count
      continue
    }
    total += count
    const key = `${name} ${where(node.callFrame)}`.trim()
    hits.set(key, (hits.get(key) ?? 0) + count)
    const group = groupOf(node.callFrame, name)
    groups.set(group, (groups.get(group) ?? 0) + count)
  }
  const durationMs = (profile.endTime - profile.startTime) / 1000
  const busy = total + idle === 0 ? 0 : (total / (total + idle)) * 100
  const rowsOf = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, count]) => `| ${((count / Math.max(1, total)) * 100).toFixed(1)}% | \`${key.replaceAll('|', '\\|')}\` |`)
  return [
    `${(durationMs / 1000).toFixed(1)} s profiled, main thread busy ${busy.toFixed(0)}% of it. Self time of the busy part, by package or source file, then by function (tsx-compiled modules show as \`(anonymous) file:1\`):`,
    '',
    '| self | package / file |',
    '|---:|---|',
    ...rowsOf(groups),
    '',
    '| self | function |',
    '|---:|---|',
    ...rowsOf(hits),
  ].join('\n')
}

export const withCpuProfile = async <T>(name: string, fn: () => Promise<T>): Promise<{ result: T; summary: ProfileSummary }> => {
  const session = new Session()
  session.connect()
  try {
    await session.post('Profiler.enable')
    await session.post('Profiler.setSamplingInterval', { interval: 500 })
    await session.post('Profiler.start')
    const outcome = await fn().then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    )
    const { profile } = await session.post('Profiler.stop')
    if (!outcome.ok) throw outcome.error
    const result = outcome.value
    const dir = join(tmpdir(), 'telemetry-client-bench')
    await mkdir(dir, { recursive: true })
    const file = join(dir, `${name}.cpuprofile`)
    await writeFile(file, JSON.stringify(profile))
    return { result, summary: { file, markdown: summarizeProfile(profile) } }
  } finally {
    session.disconnect()
  }
}
