import { formatReplay, replayFailed, replayServices } from '../../ops/log/replay.js'
import { runCommandDef, writeJson, type CommandDef } from '../command.js'
import { Exit, type CliIo } from '../io.js'
import { loadRedisOpsConfig, type RedisOpsConfig } from '../../config/ops-config.js'
import { createProgress } from '../progress.js'
import { selectServices, withStore } from '../with-store.js'

const HELP = `Usage: telemetry-client replay [--service ID] [--check] [--json] [--progress]

Rebuilds each service's snapshot by folding its whole event log from the initial state and
compares it byte for byte with the stored snapshot. Differing, stale and missing snapshots are
rewritten (only if the log did not move on meanwhile).

Options:
  --service ID   only this service (default: every service in the services index)
  --write        write the rebuilt snapshots (the default)
  --check        dry mode: report, write nothing; exit 1 if any snapshot would change
  --json         machine-readable report on stdout
  --progress     draw the progress bar on stderr even when it is not a terminal

Exit: 0 done (or --check found nothing), 1 a log cannot be decoded / --check found a difference
/ Redis error, 2 usage error. Configuration: REDIS_URL, REDIS_CLUSTER_NODES, REDIS_KEY_PREFIX.`

export const replayDef: CommandDef<RedisOpsConfig> = {
  name: 'replay',
  help: HELP,
  args: { flags: ['check', 'json', 'progress', 'write'], options: ['service'] },
  config: loadRedisOpsConfig,
  run: (args, config, io) =>
    withStore(config, async ({ redis, prefix, store }) => {
      if (args.flags.has('check') && args.flags.has('write')) {
        io.stderr.write(`telemetry-client replay: --check and --write exclude each other\n\n${HELP}\n`)
        return Exit.usage
      }
      const write = !args.flags.has('check')
      const serviceIds = await selectServices(store, args.options.get('service'))
      const progress = createProgress({
        stream: io.stderr,
        label: write ? 'replay' : 'replay --check',
        total: 0,
        ...(args.flags.has('progress') ? { force: true } : {}),
      })
      const summary = await replayServices({ redis, prefix }, serviceIds, { write, onTotal: (n) => progress.addTotal(n), onEvents: (n) => progress.tick(n) })
      progress.done()
      if (args.flags.has('json')) writeJson(io, { write, ...summary })
      else io.stdout.write(`${formatReplay(summary, write)}\n`)
      return replayFailed(summary, write) ? Exit.failed : Exit.ok
    }),
}

export const replayCommand = (argv: readonly string[], io: CliIo): Promise<number> => runCommandDef(replayDef, argv, io)
