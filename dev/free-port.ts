/**
 * Free loopback ports for throwaway servers (Redis, simulators) in tests and the local stack.
 *
 * The kernel picks a free port when we bind port 0; we close that socket at once and hand the
 * number to the real server. Between our close and the server's bind another process may take
 * the port, so callers that start a separate process wrap the start in `retryOnAddressInUse`
 * instead of trusting the number blindly.
 */
import { createServer } from 'node:net'
import { describeExit, sleep, type OwnedProcess } from './process-utils.js'

export const LOOPBACK = '127.0.0.1'

/** Asks the kernel for a port that is free on `host` right now (no guarantee it stays free). */
export const freePort = (host: string = LOOPBACK): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : undefined
      server.close(() => {
        if (port === undefined) reject(new Error(`could not read the port bound on ${host}`))
        else resolve(port)
      })
    })
  })

/** Raised by a starter when the port it was given was taken before the server could bind it. */
export class AddressInUseError extends Error {
  constructor(
    readonly port: number,
    detail: string,
  ) {
    super(`port ${port} is already in use: ${detail}`)
    this.name = 'AddressInUseError'
  }
}

/**
 * Runs `start(port)` with a fresh free port, again with another port when it fails with
 * `AddressInUseError` (the race described above), up to `attempts` times.
 */
export const retryOnAddressInUse = async <T>(start: (port: number) => Promise<T>, attempts = 5, host: string = LOOPBACK): Promise<T> => {
  let last: unknown
  for (let i = 0; i < attempts; i++) {
    const port = await freePort(host)
    try {
      return await start(port)
    } catch (error) {
      if (!(error instanceof AddressInUseError)) throw error
      last = error
    }
  }
  throw last instanceof Error ? last : new Error(`no free port after ${attempts} attempts`)
}

/**
 * Waits until a server just spawned on `port` is `ready`. If it exits first: an AddressInUseError
 * when its log says the port was taken (for `retryOnAddressInUse`), else an error with its log.
 * Not ready within `timeoutMs`: killed, and an error with its log.
 */
export const awaitServerReady = async (
  server: OwnedProcess,
  what: string,
  port: number,
  ready: () => Promise<boolean>,
  timing: { readonly timeoutMs: number; readonly everyMs: number },
): Promise<OwnedProcess> => {
  const deadline = Date.now() + timing.timeoutMs
  while (Date.now() < deadline) {
    if (server.hasExited()) {
      const status = await server.exited
      const log = server.log.text()
      if (/address already in use/i.test(log)) throw new AddressInUseError(port, log)
      throw new Error(`${what} on port ${port} exited (${describeExit(status)}) before it was ready:\n${log}`)
    }
    if (await ready()) return server
    await sleep(timing.everyMs)
  }
  await server.stop('SIGKILL')
  throw new Error(`${what} on port ${port} was not ready within ${timing.timeoutMs} ms:\n${server.log.text()}`)
}
