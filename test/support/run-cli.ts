/**
 * Runs one `telemetry-client` command in-process (`main(argv, io)`) with the given environment
 * and captures what it writes (operator commands beside a service, doctor and verify).
 */
import { Readable } from 'node:stream'
import { main } from '../../src/cli/cli.js'
import type { CliIo } from '../../src/cli/io.js'

export interface CliRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export const runCli = async (
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
  options: { readonly stdin?: string; readonly now?: () => Date } = {},
): Promise<CliRun> => {
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

export interface JsonCheck {
  readonly name: string
  readonly status: string
  readonly reason: string
  readonly action: string
}

/** The checks of a `doctor --json` / `verify --json` run. */
export const checksOf = (run: CliRun): readonly JsonCheck[] => (JSON.parse(run.stdout) as { checks: JsonCheck[] }).checks
