/**
 * The service as a real OS process (`telemetry-client run`, cli-entry.ts), for tests that kill it,
 * signal it or run two replicas. Configured by the environment alone, as in production.
 */
import { cliEntryArgs } from './cli-entry.js'
import { sleep, spawnOwned, type ExitStatus, type OwnedProcess } from '../../dev/process-utils.js'

export const FAST_KAFKA_ENV = {
  KAFKA_SESSION_TIMEOUT_MS: '3000',
  KAFKA_HEARTBEAT_INTERVAL_MS: '300',
  KAFKA_MAX_WAIT_MS: '200',
  KAFKA_REBALANCE_TIMEOUT_MS: '3000',
  // a process killed while it holds a service's lease delays that service this long for the next one
  SERVICE_LEASE_MS: '1500',
} as const

export interface ServiceProcess {
  readonly process: OwnedProcess
  /** resolves when the service logged that it consumes (its consumer is connected) */
  readonly started: Promise<void>
  readonly exited: Promise<ExitStatus>
  logText(): string
  /** the partitions this replica got at its latest consumer-group join, as `topic/partition` */
  latestAssignment(): { readonly leaderId: string; readonly partitions: readonly string[] } | undefined
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<ExitStatus>
}

export const spawnService = (env: Readonly<Record<string, string>>, extra: Readonly<Record<string, string>> = {}): ServiceProcess => {
  const child = spawnOwned(process.execPath, [...cliEntryArgs(), 'run'], {
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', LOG_LEVEL: 'info', ...FAST_KAFKA_ENV, ...env, ...extra },
    logLines: 400,
  })
  let output = ''
  const started = new Promise<void>((ok, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      if (output.includes('ready: consuming requests')) ok()
    }
    child.child.stdout?.on('data', onData)
    child.child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    void child.exited.then((status) => fail(new Error(`service exited before it was ready (${JSON.stringify(status)}):\n${output.slice(-4000)}`)))
  })
  started.catch(() => undefined)
  return {
    process: child,
    started,
    exited: child.exited,
    logText: () => output,
    latestAssignment: () => latestAssignmentIn(output),
    stop: (signal = 'SIGTERM', graceMs = 30_000) => child.stop(signal, graceMs),
  }
}

const latestAssignmentIn = (output: string): { leaderId: string; partitions: string[] } | undefined => {
  const line = output
    .split('\n')
    .reverse()
    .find((l) => l.includes('"joined consumer group"'))
  if (line === undefined) return undefined
  const entry = JSON.parse(line) as { leaderId: string; assignment: Record<string, number[]> }
  return { leaderId: entry.leaderId, partitions: Object.entries(entry.assignment).flatMap(([topic, ps]) => ps.map((p) => `${topic}/${p}`)) }
}

/** Resolves once every replica's latest join is of one generation (same leader, disjoint, none empty). */
export const awaitBalancedGroup = async (replicas: readonly ServiceProcess[], timeoutMs = 60_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const assignments = replicas.map((r) => r.latestAssignment())
    const all = assignments.flatMap((a) => a?.partitions ?? [])
    const balanced =
      assignments.every((a) => a !== undefined && a.partitions.length > 0 && a.leaderId === assignments[0]?.leaderId) && new Set(all).size === all.length
    if (balanced) return
    if (Date.now() > deadline) {
      const tails = replicas.map((r, i) => `replica ${i}:\n${r.logText().split('\n').slice(-15).join('\n')}`).join('\n')
      throw new Error(`consumer group not balanced after ${timeoutMs} ms: ${JSON.stringify(assignments)}\n${tails}`)
    }
    await sleep(100)
  }
}
