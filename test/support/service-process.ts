/**
 * The service as a real OS process (`telemetry-client run` through tsx), for tests that kill it,
 * signal it or run two replicas. Configured by the environment alone, as in production.
 */
import { resolve } from 'node:path'
import { spawnOwned, type ExitStatus, type OwnedProcess } from '../../src/dev/process-utils.js'

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
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<ExitStatus>
}

export const spawnService = (env: Readonly<Record<string, string>>, extra: Readonly<Record<string, string>> = {}): ServiceProcess => {
  const child = spawnOwned(process.execPath, ['--import', 'tsx', resolve('src/cli/main.ts'), 'run'], {
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
    stop: (signal = 'SIGTERM', graceMs = 30_000) => child.stop(signal, graceMs),
  }
}
