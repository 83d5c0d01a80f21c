import { createGrafanaClient } from '../../effects/grafana/grafana-client.js'
import { createSecretClient, kubeConfigFrom } from '../../effects/kube/secret/kube-secret-client.js'
import { createScrapeConfigApplier } from '../../effects/kube/scrapeconfig/scrape-config-applier.js'
import { createScrapeConfigWriter } from '../../effects/kube/scrapeconfig/scrape-config-writer.js'
import type { ScrapeTargets } from '../../effects/kube/scrape-targets.js'
import { createSecretWriter } from '../../effects/kube/secret/secret-writer.js'
import { observeScrapeConfigJobs, observeSecretJobs, type ObserveJobs } from '../../ops/reconcile/jobs-in-place.js'
import { formatReconcile, reconcile, reconcileExitCode, reconcileJson } from '../../ops/reconcile/reconcile.js'
import { FIELD_MANAGER } from '../../effects/kube/scrapeconfig/scrape-config-applier.js'
import { runCommandDef, writeJson, type CommandDef } from '../command.js'
import { Exit, type CliIo } from '../io.js'
import { loadReconcileOpsConfig, type ReconcileOpsConfig } from '../../config/ops-config.js'
import { operatorLeaseOf } from '../operator-lease-of.js'
import { selectServices, withStore } from '../with-store.js'

const HELP = `Usage: telemetry-client reconcile [--service ID] [--dry-run] [--json]

Compares what the event log says is in place with the active scrape backend
(SCRAPE_CONFIG_BACKEND: the secret, or the service's own ScrapeConfigs) and Grafana, prints the
drift and repairs it:
  job-missing            the service's job is not in place               → written again
  job-different          the job in place is not the one written         → written again
  job-left-behind        a deleted service's job is still in place        → removed
  dashboard-missing      a dashboard the log knows is gone from Grafana   → re-created
  dashboard-left-behind  a deleted service still has tagged dashboards    → deleted
Each repair is the step the service itself would take, run by the service's own step effects
(the one secret writer or the ScrapeConfig writer; folders ensured, dashboards saved and settled), rebuilt from the last
completed request that produced the job or dashboard. Its facts are appended to the service's
log under one request id per run, reconcile:<uuid>; no request and no result message is made.
Every service with drift is repaired under its lease (the one the running service claims,
SERVICE_LEASE_MS): it is loaded and looked at again first, only what is still drift is
repaired, and a job is written or removed only if the one in place is still the one just seen.
Services with requests in progress, or whose lease stays held for SERVICE_LEASE_MS, are
skipped and listed (the running service is on them): run reconcile again.

Options:
  --service ID   only this service (default: every service in the services index)
  --dry-run      report only, change nothing (exit codes below)
  --json         machine-readable report on stdout

Exit with --dry-run (as terraform plan -detailed-exitcode): 0 no drift, 2 drift found,
1 an error (usage errors included, so 2 always means drift).
Exit otherwise: 0 no drift / all repaired, 1 a repair failed or an error, 2 usage error.
In scrapeconfig mode a job-missing whose ScrapeConfig name is held by an object this service
did not create is reported as such; its repair fails until that object is renamed or removed.
Configuration: REDIS_*, KUBECONFIG, SCRAPE_CONFIG_BACKEND, SECRET_NAMESPACE, SECRET_NAME,
SECRET_KEY (secret mode), SCRAPE_CONFIG_NAMESPACE, SCRAPE_CONFIG_LABELS (scrapeconfig mode),
GRAFANA_URL, GRAFANA_TOKEN (or GRAFANA_USER+GRAFANA_PASSWORD), GRAFANA_*_DATASOURCE_UID,
GRAFANA_TIMEOUT_MS, GRAFANA_RETRIES, SERVICE_LEASE_MS.`

/** The active backend's reader and writer: the same objects and field manager the service uses. */
const scrapeBackendOf = (config: ReconcileOpsConfig): { readonly observeJobs: ObserveJobs; readonly targets: ScrapeTargets; close(): void } => {
  const kc = kubeConfigFrom(config.kube.kubeconfigPath)
  const { scrape } = config
  if (scrape.backend === 'scrapeconfig') {
    const { namespace, labels, maxInFlight } = scrape.scrapeConfig
    const applier = createScrapeConfigApplier(kc, { namespace, extraLabels: labels, fieldManager: FIELD_MANAGER })
    return { observeJobs: observeScrapeConfigJobs(applier), targets: createScrapeConfigWriter({ applier, maxInFlight }), close: () => undefined }
  }
  const { secret } = scrape
  const client = createSecretClient(kc, secret)
  const writer = createSecretWriter({ client, describe: `${secret.namespace}/${secret.name} key ${secret.key}` })
  return { observeJobs: observeSecretJobs(client), targets: writer, close: () => writer.close() }
}

export const reconcileDef: CommandDef<ReconcileOpsConfig> = {
  name: 'reconcile',
  help: HELP,
  args: { flags: ['dry-run', 'json'], options: ['service'] },
  config: loadReconcileOpsConfig,
  // with --dry-run, 2 means "drift found": a usage error must not look like one
  usageExit: (argv) => (argv.includes('--dry-run') ? Exit.failed : Exit.usage),
  run: (args, config, io) =>
    withStore(config, async (ctx) => {
      const { store } = ctx
      const backend = scrapeBackendOf(config)
      const grafana = createGrafanaClient({
        baseUrl: config.grafana.url,
        auth: config.grafana.auth,
        retry: { retries: config.grafana.retries, timeoutMs: config.grafana.timeoutMs },
        api: config.grafana.api,
        namespace: config.grafana.namespace,
      })
      try {
        const serviceIds = await selectServices(store, args.options.get('service'))
        const report = await reconcile(
          {
            store,
            observeJobs: backend.observeJobs,
            scrapeTargets: backend.targets,
            grafana,
            datasources: {
              prometheusDatasourceUid: config.grafana.prometheusDatasourceUid,
              lokiDatasourceUid: config.grafana.lokiDatasourceUid,
              lokiServiceLabel: config.grafana.lokiServiceLabel,
            },
            now: io.now,
            targetAllow: config.targets.allow,
            lease: operatorLeaseOf(ctx, config, 'reconcile'),
          },
          { serviceIds, dryRun: args.flags.has('dry-run') },
        )
        if (args.flags.has('json')) writeJson(io, reconcileJson(report))
        else io.stdout.write(`${formatReconcile(report)}\n`)
        return reconcileExitCode(report)
      } finally {
        backend.close()
      }
    }),
}

export const reconcileCommand = (argv: readonly string[], io: CliIo): Promise<number> => runCommandDef(reconcileDef, argv, io)
