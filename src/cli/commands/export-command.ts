import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { exportLog } from '../../ops/log/export-log.js'
import { logVersion } from '../../state/store/operator-log.js'
import { runCommandDef, type CommandDef } from '../command.js'
import { Exit, type CliIo } from '../io.js'
import { loadRedisOpsConfig, type RedisOpsConfig } from '../../config/ops-config.js'
import { createProgress } from '../progress.js'
import { selectServices, withStore } from '../with-store.js'

const HELP = `Usage: telemetry-client export [--service ID] [--out FILE] [--progress] [--json]

Writes the event logs as NDJSON, one line per event in version order per service:
  {"serviceId":"...","version":1,"event":{...}}
A log whose oldest events the retention policy trimmed starts with its base, the stored
snapshot that holds them, on a line of its own, followed by every event still in the log:
  {"serviceId":"...","kind":"snapshot","version":7,"lastChangeMs":...,"snapshot":{...}}
Other snapshots and the indexes are not exported (import rebuilds them from the events).

Options:
  --service ID   only this service (default: every service in the services index)
  --out FILE     write to FILE (written as FILE.partial, renamed when complete); default stdout
  --progress     draw the progress bar on stderr even when it is not a terminal
  --json         the summary as one JSON line on stderr,
                 {"services":N,"events":N,"fromSnapshot":N,"out":FILE|null},
                 and no progress bar (stdout stays the export itself)

Exit: 0 exported, 1 a log cannot be decoded / a trimmed log has no usable snapshot / Redis or
file error (with --out, no file is left), 2 usage error.
Configuration: REDIS_URL, REDIS_CLUSTER_NODES, REDIS_KEY_PREFIX.`

/** Writes to a temporary name and renames at the end, so a half-written export never looks complete. */
const fileSink = (path: string) => {
  const partial = `${path}.partial`
  const stream = createWriteStream(partial, { encoding: 'utf8' })
  const failed = new Promise<never>((_, reject) => stream.once('error', reject))
  failed.catch(() => undefined)
  return {
    write: async (chunk: string) => {
      if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), failed])
    },
    commit: async () => {
      stream.end()
      await Promise.race([once(stream, 'finish'), failed])
      await rename(partial, path)
    },
    abort: async () => {
      stream.destroy()
      await rm(partial, { force: true })
    },
  }
}

export const exportDef: CommandDef<RedisOpsConfig> = {
  name: 'export',
  help: HELP,
  args: { flags: ['progress', 'json'], options: ['service', 'out'] },
  config: loadRedisOpsConfig,
  run: (args, config, io) =>
    withStore(config, async ({ redis, prefix, store }) => {
      const serviceIds = await selectServices(store, args.options.get('service'))
      const out = args.options.get('out')
      const json = args.flags.has('json')
      // --json: stderr carries the summary line alone, so a script can parse it
      const force = json ? { force: false } : args.flags.has('progress') ? { force: true } : {}
      const progress = createProgress({ stream: io.stderr, label: 'export', total: 0, ...force })
      const versions = await Promise.all(serviceIds.map((id) => logVersion({ redis, prefix }, id)))
      progress.addTotal(versions.reduce((sum, v) => sum + v, 0))
      const sink =
        out === undefined
          ? { write: (chunk: string) => void io.stdout.write(chunk), commit: () => Promise.resolve(), abort: () => Promise.resolve() }
          : fileSink(out)
      try {
        const report = await exportLog({ redis, prefix }, serviceIds, sink.write, (n) => progress.tick(n))
        await sink.commit()
        progress.done()
        if (json)
          io.stderr.write(`${JSON.stringify({ services: report.services, events: report.events, fromSnapshot: report.fromSnapshot, out: out ?? null })}\n`)
        else if (out !== undefined) {
          const based = report.fromSnapshot === 0 ? '' : ` (${report.fromSnapshot} trimmed by retention, written from their snapshot)`
          io.stderr.write(`exported ${report.events} events of ${report.services} services${based} to ${out}\n`)
        }
        return Exit.ok
      } catch (error) {
        progress.done()
        await sink.abort()
        throw error
      }
    }),
}

export const exportCommand = (argv: readonly string[], io: CliIo): Promise<number> => runCommandDef(exportDef, argv, io)
