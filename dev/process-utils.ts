/**
 * Child processes that the test run (or the local stack) owns and must never leave behind.
 *
 * Three layers make sure a throwaway server dies with its owner:
 * 1. `stop()` signals it and waits for the exit (escalating to SIGKILL after a grace period);
 * 2. a process 'exit' hook SIGKILLs every child still alive when Node exits normally, e.g. when
 *    mocha's `--exit` ends the run or a script throws;
 * 3. where util-linux's `setpriv` exists (Debian: always), the child is exec'd with
 *    `--pdeathsig KILL`, so the kernel kills it even if Node itself is SIGKILLed or crashes,
 *    when no JavaScript can run any more. `setpriv` execs the real program, so the pid we hold
 *    is the server's own pid (kill9 tests signal the server, not a wrapper).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

/** Finds an executable on PATH like `command -v`, without spawning a shell. */
export const findOnPath = (name: string): string | undefined => {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not in this directory
    }
  }
  return undefined
}

/** Keeps the last `maxLines` lines of a child's output for error messages. */
export class LogTail {
  private readonly lines: string[] = []
  private partial = ''
  constructor(private readonly maxLines = 40) {}

  push(chunk: Buffer | string): void {
    const parts = (this.partial + chunk.toString()).split('\n')
    this.partial = parts.pop() ?? ''
    for (const line of parts) {
      this.lines.push(line)
      if (this.lines.length > this.maxLines) this.lines.shift()
    }
  }

  /** the kept lines joined, including an unterminated last line */
  text(): string {
    return [...this.lines, ...(this.partial === '' ? [] : [this.partial])].join('\n')
  }
}

export interface ExitStatus {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export interface OwnedProcess {
  readonly child: ChildProcess
  readonly pid: number | undefined
  /** last lines of stdout and stderr, interleaved */
  readonly log: LogTail
  /** resolves when the process has exited (or failed to spawn) */
  readonly exited: Promise<ExitStatus>
  hasExited(): boolean
  /** SIGTERM (or `signal`), then SIGKILL after `graceMs`; resolves once it is gone */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<ExitStatus>
}

const alive = new Set<ChildProcess>()
let exitHookInstalled = false

/** SIGKILLs every owned child still alive; synchronous, so it may run inside an 'exit' listener. */
export const killOwnedChildren = (): void => {
  for (const child of alive) child.kill('SIGKILL')
}

const installExitHook = (): void => {
  if (exitHookInstalled) return
  exitHookInstalled = true
  // 'exit' listeners must be synchronous; kill() is, and SIGKILL cannot be ignored.
  process.on('exit', killOwnedChildren)
}

const setpriv = findOnPath('setpriv')

export interface SpawnOwnedOptions {
  /** 'pipe' keeps the child's stdin open until it is stopped (kcat exits on EOF) */
  readonly stdin?: 'pipe' | 'ignore'
  readonly cwd?: string
  readonly env?: NodeJS.ProcessEnv
  readonly logLines?: number
}

/** Spawns `command` as a child that is killed with its owner (see the module comment). */
export const spawnOwned = (command: string, args: readonly string[], options: SpawnOwnedOptions = {}): OwnedProcess => {
  installExitHook()
  const [file, argv] = setpriv === undefined ? [command, [...args]] : [setpriv, ['--pdeathsig', 'KILL', '--', command, ...args]]
  const child = spawn(file, argv, {
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
    cwd: options.cwd,
    env: options.env ?? process.env,
  })
  const log = new LogTail(options.logLines)
  child.stdout?.on('data', (chunk: Buffer) => log.push(chunk))
  child.stderr?.on('data', (chunk: Buffer) => log.push(chunk))
  // A held stdin pipe raises EPIPE if the child dies first; the exit is reported via `exited`.
  child.stdin?.on('error', () => undefined)
  alive.add(child)
  let done = false
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('error', (error) => {
      log.push(`spawn ${command} failed: ${error.message}\n`)
      if (child.pid === undefined) {
        done = true
        alive.delete(child)
        resolve({ code: null, signal: null })
      }
    })
    child.once('exit', (code, signal) => {
      done = true
      alive.delete(child)
      resolve({ code, signal })
    })
  })
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<ExitStatus> => {
    if (done) return exited
    child.kill(signal)
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    try {
      return await exited
    } finally {
      clearTimeout(timer)
      child.stdin?.destroy()
    }
  }
  return { child, pid: child.pid, log, exited, hasExited: () => done, stop }
}

/** Describes an exit for error messages: `code 1` or `signal SIGKILL`. */
export const describeExit = ({ code, signal }: ExitStatus): string =>
  signal !== null ? `signal ${signal}` : code !== null ? `code ${code}` : 'failure to spawn'

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
