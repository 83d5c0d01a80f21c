import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'
import { isLeft } from 'fp-ts/lib/Either.js'
import { importLogs, parseImport } from '../../ops/log/import-log.js'
import { formatTable } from '../../ops/table.js'
import { runCommandDef, writeJson, type CommandDef } from '../command.js'
import { Exit, type CliIo } from '../io.js'
import { loadRedisOpsConfig, type RedisOpsConfig } from '../../config/ops-config.js'
import { withStore } from '../with-store.js'

const HELP = `Usage: telemetry-client import [--in FILE] [--force] [--json]

Rebuilds event logs from an export (NDJSON, see 'export'): each service's stream, version
counter, inbox dedupe hash, snapshot, and the services/pending indexes. A log trimmed by the
retention policy is rebuilt from its snapshot line (kind "snapshot") plus the events after it.
The whole input is checked before anything is written: JSON shape, the event and snapshot
codecs, versions without a gap, every serviceId one the service accepts and the one its
request or snapshot names. A service that already has events is refused, and then
nothing is imported, unless --force replaces it. Import into a store no service writes to.

Options:
  --in FILE   read FILE (default: stdin)
  --force     replace services that already have events
  --json      machine-readable report on stdout

Exit: 0 imported, 1 invalid input / a service exists (without --force) / Redis or file error,
2 usage error. Configuration: REDIS_URL, REDIS_CLUSTER_NODES, REDIS_KEY_PREFIX.`

export const importDef: CommandDef<RedisOpsConfig> = {
  name: 'import',
  help: HELP,
  args: { flags: ['force', 'json'], options: ['in'] },
  config: loadRedisOpsConfig,
  run: async (args, config, io) => {
    const path = args.options.get('in')
    const input = path === undefined ? io.stdin : createReadStream(path, { encoding: 'utf8' })
    // parse before connecting: a bad file never touches Redis
    const parsed = await parseImport(createInterface({ input, crlfDelay: Infinity }))
    if (isLeft(parsed)) {
      io.stderr.write(`telemetry-client import: invalid input, nothing imported:\n${parsed.left.map((e) => `  - ${e}`).join('\n')}\n`)
      return Exit.failed
    }
    return withStore(config, async ({ redis, prefix }) => {
      const report = await importLogs({ redis, prefix }, parsed.right, { force: args.flags.has('force'), nowMs: io.now().getTime() })
      if (args.flags.has('json')) writeJson(io, report)
      else if (report.refused.length > 0) {
        io.stderr.write(
          `telemetry-client import: these services already have events (use --force to replace them); nothing imported:\n  ${report.refused.join('\n  ')}\n`,
        )
      } else {
        const table = formatTable(
          ['SERVICE', 'EVENTS', 'STATUS', 'BASE', 'REPLACED'],
          report.imported.map((r) => [r.serviceId, String(r.events), r.status, r.fromSnapshot ? 'snapshot' : '', r.replaced ? 'yes' : '']),
        )
        const events = report.imported.reduce((n, r) => n + r.events, 0)
        io.stdout.write(`${report.imported.length === 0 ? 'nothing to import' : table}\nimported ${events} events of ${report.imported.length} services\n`)
      }
      return report.refused.length > 0 ? Exit.failed : Exit.ok
    })
  },
}

export const importCommand = (argv: readonly string[], io: CliIo): Promise<number> => runCommandDef(importDef, argv, io)
