import type { ReconcileOpsConfig } from '../../config/ops-config.js'
import { loadReconcileOpsConfig } from '../../config/ops-config.js'
import { DEFAULT_RATE_INTERVAL } from '../../effects/grafana/grafana-variables.js'
import { createGrafanaTransport } from '../../effects/grafana/grafana-transport.js'
import { createSecretClient, kubeConfigFrom } from '../../effects/kube/secret/kube-secret-client.js'
import { createScrapeConfigApplier } from '../../effects/kube/scrapeconfig/scrape-config-applier.js'
import { verifyScrapeConfigJob, verifySecretJob, type ExpectedJob } from '../../effects/verify/verify-scrape-job.js'
import { doctorExitCode, doctorJson, formatDoctor } from '../../ops/doctor/doctor-report.js'
import { verifyService } from '../../ops/verify.js'
import type { DoctorCheck } from '../../support/doctor-check.js'
import { FIELD_MANAGER } from '../../effects/kube/scrapeconfig/scrape-config-applier.js'
import { runCommandDef, writeJson, type CommandDef } from '../command.js'
import { Exit, type CliIo } from '../io.js'
import { withStore } from '../with-store.js'

const HELP = `Usage: telemetry-client verify <serviceId> [--json] [--rate-interval DURATION]

Checks, for one service and reading only, the chain an operator checks by hand when its
dashboard is empty; one line per link: ok / warning / FAIL, what was found, and what to do.
  eventlog          the service's state in the event log: status, requests in progress, the
                    last result
  scrape.job        secret mode: the job is in the secret and in its ownership key;
                    scrapeconfig mode: the service's own ScrapeConfig exists; either way the job
                    the log says was written (fingerprint)
  grafana           the Prometheus and Loki datasource uids exist; each dashboard is there under
                    its uid, in its folder, querying the configured datasource
  prometheus        through Grafana's data source proxy (/api/datasources/proxy/uid/<uid>/...,
                    only the Grafana credentials are needed): the job's target in the central
                    Prometheus and its health; each metrics panel's query, as the dashboard holds
                    it ($__rate_interval substituted), returns series for the service. No data
                    while the job has not been scraped twice within the rate window is a warning
  loki              each logs query is accepted by Loki (no log lines in the last hour: a warning)

Options:
  --json                    the checks as one JSON document
  --rate-interval DURATION  what $__rate_interval stands for (default ${DEFAULT_RATE_INTERVAL}: 4 x Grafana's
                            default 15s scrape interval)

Exit: 0 nothing failed (warnings allowed), 1 a check failed or the configuration is invalid,
2 usage error.
Configuration: REDIS_*, KUBECONFIG, SCRAPE_CONFIG_BACKEND, SECRET_* (secret mode),
SCRAPE_CONFIG_NAMESPACE (scrapeconfig mode), GRAFANA_URL, GRAFANA_TOKEN (or GRAFANA_USER +
GRAFANA_PASSWORD), GRAFANA_*_DATASOURCE_UID, LOKI_SERVICE_LABEL, GRAFANA_TIMEOUT_MS.`

const DURATION = /^[0-9]+(ms|s|m|h|d|w|y)$/

/** The active backend's one read, and what to do when Prometheus does not have its job. */
const jobCheckOf = (config: ReconcileOpsConfig): { readonly check: (expected: ExpectedJob) => Promise<DoctorCheck>; readonly missingTargetAction: string } => {
  const kc = kubeConfigFrom(config.kube.kubeconfigPath)
  const { scrape } = config
  if (scrape.backend === 'scrapeconfig') {
    const { namespace, labels } = scrape.scrapeConfig
    const applier = createScrapeConfigApplier(kc, { namespace, extraLabels: labels, fieldManager: FIELD_MANAGER })
    const selector = Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',')
    return {
      check: (expected) => verifyScrapeConfigJob(applier, namespace, expected),
      missingTargetAction: `check that the Prometheus resource's scrapeConfigSelector matches ${selector === '' ? 'the ScrapeConfig' : selector} and its scrapeConfigNamespaceSelector takes ${namespace}; the Operator's logs name a ScrapeConfig it rejected; a new job appears within a minute or two`,
    }
  }
  const { secret } = scrape
  const client = createSecretClient(kc, secret)
  return {
    check: (expected) => verifySecretJob(client, secret, expected),
    missingTargetAction: `check that the Prometheus resource's additionalScrapeConfigs names secret ${secret.namespace}/${secret.name} key ${secret.key} and that its config reloader has run (its logs); a new job appears within a minute or two`,
  }
}

export const verifyDef: CommandDef<ReconcileOpsConfig> = {
  name: 'verify',
  help: HELP,
  args: { flags: ['json'], options: ['rate-interval'], positionals: { names: ['serviceId'], required: 1 } },
  config: loadReconcileOpsConfig,
  run: async (args, config, io) => {
    const rateInterval = args.options.get('rate-interval') ?? DEFAULT_RATE_INTERVAL
    if (!DURATION.test(rateInterval)) {
      io.stderr.write(
        `telemetry-client verify: --rate-interval must be a Prometheus duration such as 1m or 30s, got ${JSON.stringify(rateInterval)}\n\n${HELP}\n`,
      )
      return Exit.usage
    }
    return withStore(config, async ({ store }) => {
      const job = jobCheckOf(config)
      const grafana = createGrafanaTransport({
        baseUrl: config.grafana.url,
        auth: config.grafana.auth,
        retry: { retries: 1, timeoutMs: config.grafana.timeoutMs },
      })
      const report = await verifyService(args.positionals[0] ?? '', {
        readEvents: (id) => store.readEvents(id),
        checkJob: job.check,
        grafana,
        datasources: config.grafana,
        missingTargetAction: job.missingTargetAction,
        rateInterval,
        now: io.now,
      })
      if (args.flags.has('json')) writeJson(io, doctorJson(report))
      else io.stdout.write(`${formatDoctor(report)}\n`)
      return doctorExitCode(report)
    })
  },
}

export const verifyCommand = (argv: readonly string[], io: CliIo): Promise<number> => runCommandDef(verifyDef, argv, io)
