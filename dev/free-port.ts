/**
 * Free loopback ports for throwaway servers (Redis, simulators) in tests and the local stack.
 *
 * The kernel picks a free port when we bind port 0; we close that socket at once and hand the
 * number to the real server. Between our close and the server's bind another process may take
 * the port, so callers that start a separate process wrap the start in `retryOnAddressInUse`
 * instead of trusting the number blindly.
 */
import { createServer } from 'node:net'

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
export const retryOnAddressInUse = async <T>(
  start: (port: number) => Promise<T>,
  attempts = 5,
  host: string = LOOPBACK,
): Promise<T> => {
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
