import { formatInspection, inspectionJson, inspectService } from '../../ops/log/inspect.js'
import { runCommandDef, writeJson, type CommandDef } from '../command.js'
import { Exit, type CliIo } from '../io.js'
import { loadRedisOpsConfig, type RedisOpsConfig } from '../../config/ops-config.js'
import { withStore } from '../with-store.js'

const HELP = `Usage: telemetry-client inspect <serviceId> [--json]

Shows one service as its event log tells it: status, scrape job, dashboards, pending requests,
results still owed, whether the stored snapshot agrees, and the history as a timeline.

Options:
  --json   the folded state and the timeline as JSON on stdout

Exit: 0 found, 1 no such service / Redis error, 2 usage error.
Configuration: REDIS_URL, REDIS_CLUSTER_NODES, REDIS_KEY_PREFIX.`

export const inspectDef: CommandDef<RedisOpsConfig> = {
  name: 'inspect',
  help: HELP,
  args: { flags: ['json'], options: [], positionals: { names: ['serviceId'], required: 1 } },
  config: loadRedisOpsConfig,
  run: (args, config, io) =>
    withStore(config, async ({ store }) => {
      const serviceId = args.positionals[0] ?? ''
      const inspection = await inspectService(store, serviceId)
      if (inspection === undefined) {
        io.stderr.write(`telemetry-client inspect: no events for service '${serviceId}'\n`)
        return Exit.failed
      }
      if (args.flags.has('json')) writeJson(io, inspectionJson(inspection))
      else io.stdout.write(`${formatInspection(inspection)}\n`)
      return Exit.ok
    }),
}

export const inspectCommand = (argv: readonly string[], io: CliIo): Promise<number> => runCommandDef(inspectDef, argv, io)
