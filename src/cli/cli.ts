/**
 * The command switch of `telemetry-client`, as a function of argv and the process's IO so tests
 * run every command in-process. `src/cli/main.ts` is the executable that calls it.
 */
import { adoptCommand } from './commands/adopt-command.js'
import { doctorCommand } from './commands/doctor-command.js'
import { exportCommand } from './commands/export-command.js'
import { importCommand } from './commands/import-command.js'
import { inspectCommand } from './commands/inspect-command.js'
import { Exit, processIo, type CliIo } from './io.js'
import { listCommand } from './commands/list-command.js'
import { migrateCommand } from './commands/migrate-command.js'
import { previewCommand } from './commands/preview-command.js'
import { reconcileCommand } from './commands/reconcile-command.js'
import { replayCommand } from './commands/replay-command.js'
import { runCommand } from './commands/run-command.js'
import { verifyCommand } from './commands/verify-command.js'

export const USAGE = `Usage: telemetry-client <command> [options]

Commands:
  run        consume SONATA's requests from Kafka and serve them (configured by the environment)
  list       list the services in the event store with their status
  inspect    show one service's state and event history
  replay     rebuild snapshots from the event logs and report differences
  reconcile  compare the log with the secret and Grafana; repair the drift
  adopt      add jobs this service wrote before it kept an ownership record to that record
  migrate    move the service's jobs between the secret and ScrapeConfig resources (no scrape gap)
  export     write event logs as NDJSON
  import     rebuild event logs from an NDJSON export
  preview    show what the service would do with one request message (calls nothing)
  doctor     check Kafka, Redis, Kubernetes and Grafana as the service uses them (changes nothing)
  verify     check one service's chain: log, job, dashboards, target, panel data (changes nothing)

Run 'telemetry-client <command> --help' for a command's options.
Configuration: see docs/configuration.md (every variable, its default and meaning) and
docs/operations-cli.md (the operator commands).`

type Command = (argv: readonly string[], io: CliIo) => Promise<number>

const COMMANDS: Readonly<Record<string, Command>> = {
  list: listCommand,
  inspect: inspectCommand,
  replay: replayCommand,
  reconcile: reconcileCommand,
  adopt: adoptCommand,
  migrate: migrateCommand,
  export: exportCommand,
  import: importCommand,
  preview: previewCommand,
  doctor: doctorCommand,
  verify: verifyCommand,
}

export const main = async (argv: readonly string[], io: CliIo = processIo()): Promise<number> => {
  const [command, ...rest] = argv
  switch (command) {
    // the service keeps its own process wiring (signals, logger): unchanged
    case 'run':
      return runCommand(rest)
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      io.stdout.write(`${USAGE}\n`)
      return command === undefined ? Exit.usage : Exit.ok
    default: {
      const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined
      if (run !== undefined) return run(rest, io)
      io.stderr.write(`telemetry-client: unknown command '${command}'\n\n${USAGE}\n`)
      return Exit.usage
    }
  }
}
