/**
 * What a command talks to: stdout/stderr writers, the environment and stdin. Commands take it as
 * a parameter (never `process.*` directly) so tests run them in-process and read what they wrote.
 */
import type { Env } from '../config/config.js'

export interface Writer {
  write(text: string): unknown
  /** set on a terminal; the progress bar draws only there (or when --progress asks for it) */
  readonly isTTY?: boolean
}

export interface CliIo {
  readonly stdout: Writer
  readonly stderr: Writer
  readonly env: Env
  readonly stdin: NodeJS.ReadableStream
  readonly now: () => Date
}

export const processIo = (): CliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stdin: process.stdin,
  now: () => new Date(),
})

/** Exit codes of every operator command. */
export const Exit = { ok: 0, failed: 1, usage: 2 } as const

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error))
