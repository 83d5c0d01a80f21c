/**
 * Raw request/response plumbing for the simulator, kept apart from the API logic.
 *
 * Bodies are capped like the apiserver's 3 MiB request limit so a runaway client gets a 413
 * instead of growing the test process; answers are never written twice or to a dead socket
 * (a hung or reset request may be answered late by a stray code path).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'

export const MAX_BODY_BYTES = 3 * 1024 * 1024

/** The body as text, or undefined when it was larger than MAX_BODY_BYTES. */
export const readBody = (req: IncomingMessage): Promise<string | undefined> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= MAX_BODY_BYTES) chunks.push(chunk)
    })
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })

export const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  if (res.destroyed || res.headersSent) return
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', ...headers })
  res.end(JSON.stringify(body))
}
