/**
 * The decoded configuration's shape, apart from its codec (config.ts) so the decode side and the
 * encode side (config-to-env.ts) can both name it without importing each other.
 */
import type { RequestLimits } from '../codecs/limits.js'
import type { GrafanaApiChoice, HostPort, LogLevel, SaslMechanism } from './env-values.js'
import type { AllowRule } from './target-allow.js'

export interface SecretRef {
  readonly namespace: string
  readonly name: string
  readonly key: string
}
/** SCRAPE_CONFIG_NAMESPACE, SCRAPE_CONFIG_LABELS, SCRAPE_CONFIG_MAX_IN_FLIGHT */
export interface ScrapeConfigRef {
  readonly namespace: string
  readonly labels: Readonly<Record<string, string>>
  /** SCRAPE_CONFIG_MAX_IN_FLIGHT: apiserver calls at once (each create is a GET and an apply) */
  readonly maxInFlight: number
}

/**
 * The active backend and its settings. The other backend's settings may be given too: `migrate`
 * and `doctor` read both; the service writes only to the active one.
 */
export type ScrapeTargetsConfig =
  | { readonly backend: 'secret'; readonly secret: SecretRef; readonly scrapeConfig?: ScrapeConfigRef }
  | { readonly backend: 'scrapeconfig'; readonly scrapeConfig: ScrapeConfigRef; readonly secret?: SecretRef }

export interface ConfigShape {
  readonly kafka: {
    readonly brokers: readonly string[]
    readonly clientId: string
    readonly groupId: string
    readonly ssl: boolean
    readonly sasl?: { readonly mechanism: SaslMechanism; readonly username: string; readonly password: string }
    /** consumer group timings (kafkajs names); tests and the local stack shorten them */
    /** the broker's `message.max.bytes`: no record the service produces is larger (KAFKA_MAX_RECORD_BYTES) */
    readonly maxRecordBytes: number
    readonly consumer: {
      readonly sessionTimeout: number
      readonly heartbeatInterval: number
      readonly maxWaitTimeInMs: number
      readonly rebalanceTimeout: number
    }
  }
  /** `clusterNodes` set selects an ioredis Cluster; `url` is then used only for its credentials/TLS */
  readonly redis: { readonly url: string; readonly clusterNodes?: readonly HostPort[]; readonly keyPrefix: string }
  /** no kubeconfig path: in-cluster service account */
  readonly kube: { readonly kubeconfigPath?: string }
  /** where the federation jobs go (SCRAPE_CONFIG_BACKEND); each backend's settings are required with it */
  readonly scrape: ScrapeTargetsConfig
  readonly grafana: {
    readonly url: string
    readonly publicUrl: string
    readonly auth: { readonly token?: string; readonly user?: string; readonly password?: string }
    readonly prometheusDatasourceUid: string
    readonly lokiDatasourceUid: string
    readonly timeoutMs: number
    readonly retries: number
    /** HTTP requests to Grafana in flight at once */
    readonly maxConcurrency: number
    /** GRAFANA_API: auto (discovery), legacy (`/api`) or apis (`/apis` resources) */
    readonly api: GrafanaApiChoice
    /** GRAFANA_NAMESPACE: the `/apis` namespace (`default` = org 1, `org-<id>`, `stacks-<id>`) */
    readonly namespace: string
    /** LOKI_SERVICE_LABEL: the Loki stream label holding the serviceId; unset = select by namespaces only */
    readonly lokiServiceLabel?: string
  }
  /** PROMETHEUS_TARGET_ALLOW; `allow` unset = the default policy (effects/prometheus/target-policy.ts) */
  readonly targets: { readonly allow?: readonly AllowRule[] }
  readonly service: {
    readonly sourceUri: string
    readonly httpPort: number
    readonly logLevel: LogLevel
    readonly shutdownGraceMs: number
    readonly maxParallelServices: number
    readonly laneIdleMs: number
    /** limits at the door, one variable each (MAX_REQUEST_BYTES, MAX_CLOUDEVENT_ID_BYTES, …) */
    readonly limits: RequestLimits
    readonly secretSizeWarnRatio: number
    readonly deadLetterTopic: string
    /** how long a replica's claim on one service lasts without renewal (0 = no leases) */
    readonly leaseMs: number
    /** how often /readyz's background checks run: Kafka and Redis (fast), Kubernetes and Grafana (slow) */
    readonly readiness: { readonly fastIntervalMs: number; readonly slowIntervalMs: number }
    /** hedged GETs: at most this fraction of extra calls per 30 s (0 = no hedging) */
    readonly hedgeMaxExtraRatio: number
  }
  /** what Redis keeps (state/store/retention.ts); intervalMs 0 = no retention pass */
  readonly retention: {
    readonly eventRetentionMs: number
    readonly inboxRetentionMs: number
    readonly deletedGraceMs: number
    readonly intervalMs: number
  }
  /** transient faults: retried with backoff until the request's deadline (streams/retry-schedule.ts) */
  readonly patience: {
    readonly requestDeadlineMs: number
    readonly retryBaseDelayMs: number
    readonly retryMaxDelayMs: number
  }
}
