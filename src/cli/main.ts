#!/usr/bin/env node
/**
 * telemetry-client: the service (`run`) and the operator commands, one binary.
 */
import { runCommand } from './run-command.js'

const USAGE = `Usage: telemetry-client <command> [options]

Commands:
  run        consume SONATA's requests from Kafka and serve them (configured by the environment)

Run 'telemetry-client <command> --help' for a command's options.
Configuration: see docs/configuration.md (every variable, its default and meaning).`

const main = async (argv: readonly string[]): Promise<number> => {
  const [command, ...rest] = argv
  switch (command) {
    case 'run': return runCommand(rest)
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`${USAGE}\n`)
      return command === undefined ? 2 : 0
    default:
      process.stderr.write(`telemetry-client: unknown command '${command}'\n\n${USAGE}\n`)
      return 2
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`telemetry-client: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  },
)
