/**
 * The frame every operator command runs in: parse its arguments (usage error → exit 2 with the
 * help text), answer `--help`, load only the configuration it needs (invalid → exit 1 listing
 * every problem), and turn an unexpected error into one line on stderr and exit 1.
 */
import { isLeft, type Either } from 'fp-ts/lib/Either.js'
import type { Env } from '../config/config.js'
import { parseCommandArgs, type ArgSpec, type ParsedArgs } from './args.js'
import { errorText, Exit, type CliIo } from './io.js'

export interface CommandDef<C> {
  readonly name: string
  readonly help: string
  readonly args: ArgSpec
  readonly config: (env: Env) => Either<readonly string[], C>
  readonly run: (args: ParsedArgs, config: C, io: CliIo) => Promise<number>
  /** the exit code of a usage error when it is not 2 (a command whose 2 means something else) */
  readonly usageExit?: (argv: readonly string[]) => number
}

export const runCommandDef = async <C>(def: CommandDef<C>, argv: readonly string[], io: CliIo): Promise<number> => {
  const parsed = parseCommandArgs(argv, def.args)
  if (isLeft(parsed)) {
    io.stderr.write(`telemetry-client ${def.name}: ${parsed.left}\n\n${def.help}\n`)
    return def.usageExit?.(argv) ?? Exit.usage
  }
  if (parsed.right.help) {
    io.stdout.write(`${def.help}\n`)
    return Exit.ok
  }
  const config = def.config(io.env)
  if (isLeft(config)) {
    io.stderr.write(`telemetry-client ${def.name}: invalid configuration:\n${config.left.map((line) => `  - ${line}`).join('\n')}\n`)
    return Exit.failed
  }
  try {
    return await def.run(parsed.right, config.right, io)
  } catch (error) {
    io.stderr.write(`telemetry-client ${def.name}: ${errorText(error)}\n`)
    return Exit.failed
  }
}

/** `--json` output: one JSON document and a newline. */
export const writeJson = (io: CliIo, value: unknown): void => {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`)
}
