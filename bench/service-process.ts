/**
 * The service in a process of its own (`telemetry-client run`, compiled as the image ships it: see
 * built-service.ts), with the simulators, the producer and the collector left in the bench
 * process: what the service itself spends, CPU and memory, is then read from /proc for its pid
 * alone. Configured by the environment only.
 */
import { readFile } from 'node:fs/promises'
import { spawnOwned, type OwnedProcess } from '../dev/process-utils.js'
import { builtService } from './built-service.js'
import { waitUntil } from './stats.js'

export interface ServiceProcess {
  readonly process: OwnedProcess
  /** the partitions this process got at its latest consumer-group join, and that join's leader */
  latestAssignment(): { readonly leaderId: string; readonly partitions: readonly string[] } | undefined
  /** user + system CPU time of the process so far, ms (Linux /proc, 10 ms ticks) */
  cpuMs(): Promise<number>
  /** peak resident set size so far (VmHWM), bytes: what a container memory limit counts */
  peakRssBytes(): Promise<number>
  rssBytes(): Promise<number>
  stop(): Promise<void>
}

/** `/proc/PID/stat` fields 14 and 15 (utime, stime), in clock ticks of 1/100 s on Linux. */
const TICK_MS = 10

const procCpuMs = async (pid: number): Promise<number> => {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  // the command name (field 2) may hold spaces: count fields after its closing parenthesis
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS
}

const procStatusKb = async (pid: number, field: string): Promise<number> => {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const line = status.split('\n').find((l) => l.startsWith(`${field}:`))
  return Number(line?.replace(/\D+/g, '') ?? '0')
}

export interface SpawnOptions {
  /** the node binary (another runtime for the runtime columns) */
  readonly node?: string
  /** extra node flags, e.g. --cpu-prof */
  readonly nodeFlags?: readonly string[]
  readonly readyTimeoutMs?: number
}

export const spawnServiceProcess = async (env: Readonly<Record<string, string>>, options: SpawnOptions = {}): Promise<ServiceProcess> => {
  const main = await builtService()
  const child = spawnOwned(options.node ?? process.execPath, [...(options.nodeFlags ?? []), main, 'run'], {
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', LOG_LEVEL: 'info', ...env },
    logLines: 200,
  })
  let output = ''
  let partial = ''
  let joined: { leaderId: string; partitions: string[] } | undefined
  child.child.stdout?.on('data', (chunk: Buffer) => {
    // only the start-up and group-join lines matter; the rest (a line per request) is not kept
    const lines = (partial + chunk.toString('utf8')).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) {
      if (line.includes('ready: consuming requests')) output += line
      if (!line.includes('"joined consumer group"')) continue
      const entry = JSON.parse(line) as { leaderId: string; assignment: Record<string, number[]> }
      joined = { leaderId: entry.leaderId, partitions: Object.entries(entry.assignment).flatMap(([topic, ps]) => ps.map((p) => `${topic}/${p}`)) }
    }
  })
  const pid = child.pid
  try {
    if (pid === undefined) throw new Error('the service process did not start')
    await waitUntil(
      () => output.includes('ready: consuming requests') || child.hasExited(),
      options.readyTimeoutMs ?? 60_000,
      'the service process to consume',
      50,
    )
    if (child.hasExited()) throw new Error(`the service process exited before it was ready:\n${child.log.text()}`)
  } catch (error) {
    await child.stop('SIGKILL')
    throw error
  }
  return {
    process: child,
    latestAssignment: () => joined,
    cpuMs: () => procCpuMs(pid),
    peakRssBytes: async () => (await procStatusKb(pid, 'VmHWM')) * 1024,
    rssBytes: async () => (await procStatusKb(pid, 'VmRSS')) * 1024,
    stop: async () => {
      await child.stop('SIGTERM', 30_000)
    },
  }
}

/** Resolves once every process's latest join is of one generation (same leader, disjoint partitions, none empty). */
export const awaitBalanced = async (replicas: readonly ServiceProcess[], timeoutMs = 60_000): Promise<void> =>
  waitUntil(
    () => {
      const assignments = replicas.map((r) => r.latestAssignment())
      const all = assignments.flatMap((a) => a?.partitions ?? [])
      return assignments.every((a) => a !== undefined && a.partitions.length > 0 && a.leaderId === assignments[0]?.leaderId) && new Set(all).size === all.length
    },
    timeoutMs,
    `${replicas.length} service processes to share the partitions`,
    100,
  )
