import { createSecretClient, kubeConfigFrom } from '../../effects/kube/secret/kube-secret-client.js'
import { createScrapeConfigApplier } from '../../effects/kube/scrapeconfig/scrape-config-applier.js'
import { createSecretWriter } from '../../effects/kube/secret/secret-writer.js'
import { migrate } from '../../ops/migrate/migrate.js'
import { migrateCrashPointFromEnv } from '../../ops/migrate/migrate-crash-point.js'
import { formatMigrate, migrateExitCode, migrateJson, type MigrateTarget } from '../../ops/migrate/migrate-plan.js'
import { FIELD_MANAGER } from '../../effects/kube/scrapeconfig/scrape-config-applier.js'
import { loadMigrateOpsConfig, type MigrateOpsConfig } from '../../config/ops-config.js'
import { runCommandDef, writeJson, type CommandDef } from '../command.js'
import { Exit, type CliIo } from '../io.js'
import { createProgress } from '../progress.js'
import { operatorLeaseOf } from '../operator-lease-of.js'
import { withStore } from '../with-store.js'

const HELP = `Usage: telemetry-client migrate --to scrapeconfig|secret [--dry-run] [--json] [--progress]

Moves every job the service owns from one scrape backend to the other, without a scrape gap:
each job is written to the target first and removed from the source only after that write
succeeded, so it is always in at least one of them.
  --to scrapeconfig  each job of the secret's ownership record (telemetry-client.owned.json)
                     becomes one ScrapeConfig (server-side apply), then leaves the secret
  --to secret        each of the service's own ScrapeConfigs goes back into the secret (owned
                     upsert), then its object is deleted; while they fit: when the secret is
                     full, moving stops and the rest stay ScrapeConfigs
Not moved (reported with the reason): a service whose event log has no job (deleted: never
brought back), one with requests in progress, a job that is not exactly the service's job shape
or not what the log recorded (run reconcile first), a name held by somebody else's object.
Each chunk is moved under its services' leases (the one the running service claims,
SERVICE_LEASE_MS): the source is read again and planned on the log as it is then; a service
whose lease stays held is skipped as busy; one that gets a request while its copy is written
has that copy taken back; a source copy is removed only if it is still the job planned with.
Interrupted at any point, run it again: it finishes the move and never does anything twice.

Options:
  --to BACKEND   scrapeconfig or secret (required)
  --dry-run      report what would move, change nothing (exit codes below)
  --json         machine-readable report on stdout
  --progress     draw the progress bar on stderr even when it is not a terminal

Exit with --dry-run: 0 nothing to do, 2 something would move, 1 an error (usage errors included).
Exit otherwise: 0 every owned job is in the target, 1 a job was skipped, failed or left behind by
a full secret, or an error, 2 usage error.
Configuration: REDIS_*, KUBECONFIG, SECRET_NAMESPACE, SECRET_NAME, SECRET_KEY,
SCRAPE_CONFIG_NAMESPACE, SCRAPE_CONFIG_LABELS, SCRAPE_CONFIG_MAX_IN_FLIGHT, SERVICE_LEASE_MS.`

const targetOf = (value: string | undefined): MigrateTarget | undefined => (value === 'scrapeconfig' || value === 'secret' ? value : undefined)

export const migrateDef: CommandDef<MigrateOpsConfig> = {
  name: 'migrate',
  help: HELP,
  args: { flags: ['dry-run', 'json', 'progress'], options: ['to'] },
  config: loadMigrateOpsConfig,
  // with --dry-run, 2 means "something would move": a usage error must not look like one
  usageExit: (argv) => (argv.includes('--dry-run') ? Exit.failed : Exit.usage),
  run: (args, config, io) => {
    const to = targetOf(args.options.get('to'))
    const dryRun = args.flags.has('dry-run')
    if (to === undefined) {
      io.stderr.write(`telemetry-client migrate: --to must be scrapeconfig or secret\n\n${HELP}\n`)
      return Promise.resolve(dryRun ? Exit.failed : Exit.usage)
    }
    return withStore(config, async (ctx) => {
      const { store } = ctx
      const kc = kubeConfigFrom(config.kube.kubeconfigPath)
      const secretClient = createSecretClient(kc, config.secret)
      const secretWriter = createSecretWriter({ client: secretClient, describe: `${config.secret.namespace}/${config.secret.name} key ${config.secret.key}` })
      const applier = createScrapeConfigApplier(kc, {
        namespace: config.scrapeConfig.namespace,
        extraLabels: config.scrapeConfig.labels,
        fieldManager: FIELD_MANAGER,
      })
      const progress = createProgress({ stream: io.stderr, label: `migrate --to ${to}`, total: 0, ...(args.flags.has('progress') ? { force: true } : {}) })
      try {
        const report = await migrate(
          {
            store,
            secretClient,
            secretWriter,
            applier,
            maxInFlight: config.scrapeConfig.maxInFlight,
            crashAt: migrateCrashPointFromEnv(io.env),
            progress,
            lease: operatorLeaseOf(ctx, config, 'migrate'),
          },
          { to, dryRun },
        )
        progress.done()
        if (args.flags.has('json')) writeJson(io, migrateJson(report))
        else io.stdout.write(`${formatMigrate(report)}\n`)
        return migrateExitCode(report)
      } finally {
        progress.done()
        secretWriter.close()
      }
    })
  },
}

export const migrateCommand = (argv: readonly string[], io: CliIo): Promise<number> => runCommandDef(migrateDef, argv, io)
