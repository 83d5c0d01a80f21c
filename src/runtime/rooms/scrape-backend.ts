/**
 * The Kubernetes room: the active scrape backend (SCRAPE_CONFIG_BACKEND) built from the
 * configuration: the port the register and remove steps write through, its readiness check, and
 * its own reporting (the secret's batch metrics and size warning exist only in secret mode).
 */
import type { Config } from '../../config/config.js'
import { createHedger, type HedgePolicy } from '../../effects/hedged-read.js'
import { createSecretClient, kubeConfigFrom } from '../../effects/kube/secret/kube-secret-client.js'
import { createScrapeConfigApplier, FIELD_MANAGER } from '../../effects/kube/scrapeconfig/scrape-config-applier.js'
import { createScrapeConfigWriter } from '../../effects/kube/scrapeconfig/scrape-config-writer.js'
import type { ScrapeTargets } from '../../effects/kube/scrape-targets.js'
import { createSecretWriter } from '../../effects/kube/secret/secret-writer.js'
import type { Logger } from '../../support/logger.js'
import type { Tracing } from '../../support/tracing/tracing.js'
import { reportingLostRecords } from './lost-record-report.js'
import { recordSecretBatch, SECRET_LIMIT_BYTES, type Metrics } from '../metrics.js'

/** The Kubernetes room: the scrape-targets port of the configured backend, its readiness, its close. */
export interface ScrapeBackend {
  readonly targets: ScrapeTargets
  /**
   * Readiness: a cheap apiserver read for the backend's object(s) (the secret's metadata, or a
   * list of at most one ScrapeConfig); resolves with what answered, rejects with why not
   */
  ready(): Promise<string>
  close(): void
}

/** A secret near the 1 MiB object limit cannot take many more jobs: say so while there is room. */
const warnOnSecretSize = (logger: Logger, bytes: number, ratio: number): void => {
  if (bytes >= ratio * SECRET_LIMIT_BYTES) {
    logger.warn({ bytes, limitBytes: SECRET_LIMIT_BYTES, ratio: bytes / SECRET_LIMIT_BYTES }, 'scrape-config secret is close to the 1 MiB Secret limit')
  }
}

export interface BackendOptions {
  readonly logger: Logger
  readonly metrics: Metrics
  /** CLIENT spans at the Kubernetes calls, the group-committed write as one span */
  readonly tracing?: Tracing
  /** the hedged-read policy (HEDGE_MAX_EXTRA_RATIO); the room keeps its own hedger: one server, one budget */
  readonly hedgePolicy?: Partial<HedgePolicy>
}

export const startScrapeBackend = (config: Pick<Config, 'scrape' | 'kube' | 'service'>, options: BackendOptions): ScrapeBackend => {
  const { scrape } = config
  const kc = kubeConfigFrom(config.kube.kubeconfigPath)
  const hedger = createHedger(options.hedgePolicy === undefined ? {} : { policy: options.hedgePolicy })
  options.metrics.readFrom({ hedgedReads: () => hedger.counts })
  const traced = options.tracing === undefined ? {} : { tracing: options.tracing }
  if (scrape.backend === 'scrapeconfig') {
    const applier = createScrapeConfigApplier(kc, {
      namespace: scrape.scrapeConfig.namespace,
      extraLabels: scrape.scrapeConfig.labels,
      fieldManager: FIELD_MANAGER,
      ...traced,
      hedger,
    })
    const onAttempt = (op: string, outcome: string) => options.metrics.scrapeConfigAttempts.inc({ op, outcome })
    const targets = reportingLostRecords(
      createScrapeConfigWriter({ applier, maxInFlight: scrape.scrapeConfig.maxInFlight, onAttempt }),
      'scrapeconfig',
      options.metrics,
      options.logger,
    )
    return {
      targets,
      ready: async () => {
        await applier.probe()
        return `ScrapeConfigs in ${scrape.scrapeConfig.namespace} listable`
      },
      close: () => undefined,
    }
  }
  const { secret } = scrape
  const secretClient = createSecretClient(kc, secret, { ...traced, hedger })
  const secretWriter = createSecretWriter({ client: secretClient, describe: `${secret.namespace}/${secret.name} key ${secret.key}`, ...traced })
  const reports = secretWriter.reports$.subscribe((report) => {
    recordSecretBatch(options.metrics, report)
    warnOnSecretSize(options.logger, report.bytes, config.service.secretSizeWarnRatio)
  })
  return {
    targets: reportingLostRecords(secretWriter, 'secret', options.metrics, options.logger),
    ready: async () => `secret ${secret.namespace}/${secret.name} at resourceVersion ${(await secretClient.readMetadata()).resourceVersion}`,
    close: () => {
      reports.unsubscribe()
      secretWriter.close()
    },
  }
}
