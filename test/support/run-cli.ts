/**
 * Runs one `telemetry-client` command in-process (`main(argv, io)`) with the given environment
 * and captures what it writes, for the specs that drive operator commands beside a service.
 */
import { Readable } from 'node:stream'
import { main } from '../../src/cli/cli.js'
import type { CliIo } from '../../src/cli/io.js'

export interface CliRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export const runCli = async (argv: readonly string[], env: Readonly<Record<string, string>>, options: { readonly stdin?: string; readonly now?: () => Date } = {}): Promise<CliRun> => {
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t), isTTY: false },
    env,
    stdin: Readable.from([options.stdin ?? '']),
    now: options.now ?? (() => new Date()),
  }
  const code = await main([...argv], io)
  return { code, stdout, stderr }
}
