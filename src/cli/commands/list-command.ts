import { formatServiceList, listServices } from '../../ops/log/list.js'
import { runCommandDef, writeJson, type CommandDef } from '../command.js'
import { Exit, type CliIo } from '../io.js'
import { loadRedisOpsConfig, type RedisOpsConfig } from '../../config/ops-config.js'
import { withStore } from '../with-store.js'

const HELP = `Usage: telemetry-client list [--json]

Lists every service in the services index with its status (active, deleted, failed, new), log
version, last change, requests/results still in progress, and whether a job and dashboards are
in place.

Options:
  --json   the list as a JSON array on stdout

Exit: 0 listed, 1 Redis error, 2 usage error.
Configuration: REDIS_URL, REDIS_CLUSTER_NODES, REDIS_KEY_PREFIX.`

export const listDef: CommandDef<RedisOpsConfig> = {
  name: 'list',
  help: HELP,
  args: { flags: ['json'], options: [] },
  config: loadRedisOpsConfig,
  run: (args, config, io) =>
    withStore(config, async ({ store }) => {
      const rows = await listServices(store)
      if (args.flags.has('json')) writeJson(io, rows)
      else io.stdout.write(`${formatServiceList(rows)}\n`)
      return Exit.ok
    }),
}

export const listCommand = (argv: readonly string[], io: CliIo): Promise<number> => runCommandDef(listDef, argv, io)
