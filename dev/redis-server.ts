/**
 * A throwaway real redis-server (Debian's, on PATH) for integration tests and the local stack.
 *
 * It runs in the foreground as our own child (not `--daemonize`), so `stop`/`kill9` act on a
 * pid we know and nothing outlives the test run (see process-utils). `--save ''` disables RDB
 * snapshots; with `appendOnly` every write is fsynced to the AOF (`--appendfsync always`), which
 * is what the durability tests need: kill -9, restart on the same port and dir, and the event
 * streams must come back complete.
 */
import { rmSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LOOPBACK, awaitServerReady, retryOnAddressInUse } from './free-port.js'
import { killOwnedChildren, spawnOwned, type OwnedProcess } from './process-utils.js'

export interface RedisServerOptions {
  /** fixed port; a free one is picked (and re-picked on a bind race) when absent */
  port?: number
  /** working dir for the AOF; a temp dir, removed on stop(), when absent */
  dir?: string
  /** `--appendonly yes --appendfsync always` */
  appendOnly?: boolean
  /** how long to wait for the server to answer; 10 s by default */
  startTimeoutMs?: number
  /** more `--name value` arguments after ours (a later directive overrides an earlier one) */
  extraArgs?: readonly string[]
}

export interface RedisServerHandle {
  readonly url: string
  readonly port: number
  readonly dir: string
  /** graceful SHUTDOWN via SIGTERM; removes the temp dir unless `keepDir` (or the dir was given) */
  stop(options?: { keepDir?: boolean }): Promise<void>
  /** SIGKILL: no shutdown, no final fsync; the dir is kept for restart() */
  kill9(): Promise<void>
  /** (re)starts on the same port and dir, so an AOF replays; stops a running server first */
  restart(): Promise<void>
  /** pid of the current server process; undefined once stopped */
  readonly pid: number | undefined
}

/**
 * Asks whoever listens on `port` for its `process_id` (INFO server). Readiness is "OUR process
 * answers": a bare PING could be answered by another server that already holds the port while
 * ours is failing to bind it.
 */
const serverPid = (port: number, timeoutMs: number): Promise<number | undefined> =>
  new Promise((resolve) => {
    const socket = connect({ host: LOOPBACK, port })
    let reply = ''
    const finish = (pid: number | undefined): void => {
      socket.destroy()
      resolve(pid)
    }
    socket.setTimeout(timeoutMs, () => finish(undefined))
    socket.once('error', () => finish(undefined))
    socket.once('close', () => finish(undefined))
    socket.once('connect', () => socket.write('INFO server\r\n'))
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString()
      // -LOADING while the AOF replays: not ready yet
      if (reply.startsWith('-')) return finish(undefined)
      const pid = /process_id:(\d+)\r\n/.exec(reply)?.[1]
      if (pid !== undefined) finish(Number(pid))
    })
  })

const launch = (port: number, dir: string, appendOnly: boolean, timeoutMs: number, extraArgs: readonly string[] = []): Promise<OwnedProcess> => {
  const args = ['--port', String(port), '--bind', LOOPBACK, '--save', '', '--dir', dir, '--daemonize', 'no']
  args.push(...(appendOnly ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']), ...extraArgs)
  const server = spawnOwned('redis-server', args, { cwd: dir })
  // INFO answered by our own process: another server on the port would have made ours exit
  return awaitServerReady(server, 'redis-server', port, async () => (await serverPid(port, 500)) === server.pid, { timeoutMs, everyMs: 50 })
}

/** Temp dirs we created and still own; removed (best effort) if Node exits without stop(). */
const ownedDirs = new Set<string>()
let dirHookInstalled = false
const ownDirUntilStop = (dir: string): void => {
  ownedDirs.add(dir)
  if (dirHookInstalled) return
  dirHookInstalled = true
  process.on('exit', () => {
    killOwnedChildren() // first, so no server writes into a dir while it is being removed
    for (const owned of ownedDirs) rmSync(owned, { recursive: true, force: true })
  })
}

const removeOwnDir = async (dir: string): Promise<void> => {
  ownedDirs.delete(dir)
  await rm(dir, { recursive: true, force: true })
}

export const startRedisServer = async (options: RedisServerOptions = {}): Promise<RedisServerHandle> => {
  const ownDir = options.dir === undefined
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'redis-test-')))
  if (ownDir) ownDirUntilStop(dir)
  const appendOnly = options.appendOnly ?? false
  const timeoutMs = options.startTimeoutMs ?? 10_000
  let current: OwnedProcess
  let port: number
  try {
    if (options.port !== undefined) {
      port = options.port
      current = await launch(port, dir, appendOnly, timeoutMs, options.extraArgs)
    } else {
      ;[port, current] = await retryOnAddressInUse(async (p) => [p, await launch(p, dir, appendOnly, timeoutMs, options.extraArgs)] as const)
    }
  } catch (error) {
    if (ownDir) await removeOwnDir(dir)
    throw error
  }
  let running: OwnedProcess | undefined = current
  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const server = running
    running = undefined
    if (server !== undefined) await server.stop(signal)
  }
  return {
    url: `redis://${LOOPBACK}:${port}`,
    port,
    dir,
    get pid() {
      return running?.pid
    },
    stop: async ({ keepDir = false } = {}) => {
      await halt('SIGTERM')
      if (ownDir && !keepDir) await removeOwnDir(dir)
    },
    kill9: () => halt('SIGKILL'),
    restart: async () => {
      await halt('SIGTERM')
      if (ownDir) ownDirUntilStop(dir)
      await mkdir(dir, { recursive: true }) // stop() may have removed a temp dir
      running = await launch(port, dir, appendOnly, timeoutMs, options.extraArgs)
    },
  }
}
