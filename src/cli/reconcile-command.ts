import { createGrafanaClient } from '../effects/grafana-client.js'
import { createSecretClient, kubeConfigFrom } from '../effects/kube-secret-client.js'
import { createSecretWriter } from '../effects/secret-writer.js'
import { formatReconcile, reconcile, reconcileExitCode, reconcileJson } from '../ops/reconcile.js'
import { runCommandDef, writeJson, type CommandDef } from './command.js'
import { Exit, type CliIo } from './io.js'
import { secretOf } from '../config/config.js'
import { loadReconcileOpsConfig, type ReconcileOpsConfig } from '../config/ops-config.js'
import { selectServices, withStore } from './with-store.js'

const HELP = `Usage: telemetry-client reconcile [--service ID] [--dry-run] [--json]

Compares what the event log says is in place with the scrape-config secret and Grafana, prints
the drift and repairs it:
  job-missing            the service's job is not in the secret          → written again
  job-different          the job in the secret is not the one written    → written again
  job-left-behind        a deleted service's job is still in the secret   → removed
  dashboard-missing      a dashboard the log knows is gone from Grafana   → re-created
  dashboard-left-behind  a deleted service still has tagged dashboards    → deleted
Each repair is the step the service itself would take, run by the service's own step effects
(the one secret writer; folders ensured, dashboards saved and settled), rebuilt from the last
completed request that produced the job or dashboard. Its facts are appended to the service's
log under one request id per run, reconcile:<uuid>; no request and no result message is made.
Services with requests in progress are skipped (the running service is on them).

Options:
  --service ID   only this service (default: every service in the services index)
  --dry-run      report only, change nothing (exit codes below)
  --json         machine-readable report on stdout

Exit with --dry-run (as terraform plan -detailed-exitcode): 0 no drift, 2 drift found,
1 an error (usage errors included, so 2 always means drift).
Exit otherwise: 0 no drift / all repaired, 1 a repair failed or an error, 2 usage error.
Configuration: REDIS_*, KUBECONFIG, SECRET_NAMESPACE, SECRET_NAME, SECRET_KEY,
GRAFANA_URL, GRAFANA_TOKEN (or GRAFANA_USER+GRAFANA_PASSWORD), GRAFANA_*_DATASOURCE_UID,
GRAFANA_TIMEOUT_MS, GRAFANA_RETRIES.`

export const reconcileDef: CommandDef<ReconcileOpsConfig> = {
  name: 'reconcile',
  help: HELP,
  args: { flags: ['dry-run', 'json'], options: ['service'] },
  config: loadReconcileOpsConfig,
  // with --dry-run, 2 means "drift found": a usage error must not look like one
  usageExit: (argv) => (argv.includes('--dry-run') ? Exit.failed : Exit.usage),
  run: (args, config, io) =>
    withStore(config, async ({ store }) => {
      const secretClient = createSecretClient(kubeConfigFrom(config.kube.kubeconfigPath), secretOf(config))
      const secretWriter = createSecretWriter({ client: secretClient, describe: `${secretOf(config).namespace}/${secretOf(config).name} key ${secretOf(config).key}` })
      const grafana = createGrafanaClient({ baseUrl: config.grafana.url, auth: config.grafana.auth, retry: { retries: config.grafana.retries, timeoutMs: config.grafana.timeoutMs } })
      try {
        const serviceIds = await selectServices(store, args.options.get('service'))
        const report = await reconcile(
          {
            store,
            secretClient,
            scrapeTargets: secretWriter,
            grafana,
            datasources: { prometheusDatasourceUid: config.grafana.prometheusDatasourceUid, lokiDatasourceUid: config.grafana.lokiDatasourceUid, lokiServiceLabel: config.grafana.lokiServiceLabel },
            now: io.now,
            targetAllow: config.targets.allow,
          },
          { serviceIds, dryRun: args.flags.has('dry-run') },
        )
        if (args.flags.has('json')) writeJson(io, reconcileJson(report))
        else io.stdout.write(`${formatReconcile(report)}\n`)
        return reconcileExitCode(report)
      } finally {
        secretWriter.close()
      }
    }),
}

export const reconcileCommand = (argv: readonly string[], io: CliIo): Promise<number> => runCommandDef(reconcileDef, argv, io)
