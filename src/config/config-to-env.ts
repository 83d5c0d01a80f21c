/**
 * The encode side of the Config codec: a decoded Config back to the environment, every variable
 * spelled out (defaults included), so operators can see and round-trip the effective settings.
 */
import { BrokerList, HostPortList } from './env-values.js'
import { TargetAllowList } from './target-allow.js'
import { KubeLabels } from './kube-labels.js'
import type { ConfigShape as Config } from './config-shape.js'
import { formatDurationMs } from './duration.js'

const optional = (name: string, value: string | undefined): Record<string, string> => (value === undefined ? {} : { [name]: value })

/** Config → environment (every variable spelled out), so a decoded config can be round-tripped. */
export const configToEnv = (cfg: Config): Record<string, string> => ({
  KAFKA_BROKERS: BrokerList.encode(cfg.kafka.brokers),
  KAFKA_CLIENT_ID: cfg.kafka.clientId,
  KAFKA_GROUP_ID: cfg.kafka.groupId,
  KAFKA_SSL: String(cfg.kafka.ssl),
  KAFKA_SESSION_TIMEOUT_MS: String(cfg.kafka.consumer.sessionTimeout),
  KAFKA_HEARTBEAT_INTERVAL_MS: String(cfg.kafka.consumer.heartbeatInterval),
  KAFKA_MAX_WAIT_MS: String(cfg.kafka.consumer.maxWaitTimeInMs),
  KAFKA_REBALANCE_TIMEOUT_MS: String(cfg.kafka.consumer.rebalanceTimeout),
  KAFKA_MAX_RECORD_BYTES: String(cfg.kafka.maxRecordBytes),
  ...optional('KAFKA_SASL_MECHANISM', cfg.kafka.sasl?.mechanism),
  ...optional('KAFKA_SASL_USERNAME', cfg.kafka.sasl?.username),
  ...optional('KAFKA_SASL_PASSWORD', cfg.kafka.sasl?.password),
  DEAD_LETTER_TOPIC: cfg.service.deadLetterTopic,
  REDIS_URL: cfg.redis.url,
  ...optional('REDIS_CLUSTER_NODES', cfg.redis.clusterNodes === undefined ? undefined : HostPortList.encode(cfg.redis.clusterNodes)),
  REDIS_KEY_PREFIX: cfg.redis.keyPrefix,
  ...optional('KUBECONFIG', cfg.kube.kubeconfigPath),
  SCRAPE_CONFIG_BACKEND: cfg.scrape.backend,
  ...optional('SECRET_NAMESPACE', cfg.scrape.secret?.namespace),
  ...optional('SECRET_NAME', cfg.scrape.secret?.name),
  ...optional('SECRET_KEY', cfg.scrape.secret?.key),
  ...optional('SCRAPE_CONFIG_NAMESPACE', cfg.scrape.scrapeConfig?.namespace),
  ...optional('SCRAPE_CONFIG_MAX_IN_FLIGHT', cfg.scrape.scrapeConfig === undefined ? undefined : String(cfg.scrape.scrapeConfig.maxInFlight)),
  ...optional('SCRAPE_CONFIG_LABELS', cfg.scrape.scrapeConfig === undefined ? undefined : KubeLabels.encode(cfg.scrape.scrapeConfig.labels)),
  GRAFANA_URL: cfg.grafana.url,
  GRAFANA_PUBLIC_URL: cfg.grafana.publicUrl,
  ...optional('GRAFANA_TOKEN', cfg.grafana.auth.token),
  ...optional('GRAFANA_USER', cfg.grafana.auth.user),
  ...optional('GRAFANA_PASSWORD', cfg.grafana.auth.password),
  GRAFANA_PROMETHEUS_DATASOURCE_UID: cfg.grafana.prometheusDatasourceUid,
  GRAFANA_LOKI_DATASOURCE_UID: cfg.grafana.lokiDatasourceUid,
  GRAFANA_TIMEOUT_MS: String(cfg.grafana.timeoutMs),
  GRAFANA_RETRIES: String(cfg.grafana.retries),
  GRAFANA_MAX_CONCURRENCY: String(cfg.grafana.maxConcurrency),
  GRAFANA_API: cfg.grafana.api,
  GRAFANA_NAMESPACE: cfg.grafana.namespace,
  ...optional('LOKI_SERVICE_LABEL', cfg.grafana.lokiServiceLabel),
  ...optional('PROMETHEUS_TARGET_ALLOW', cfg.targets.allow === undefined ? undefined : TargetAllowList.encode(cfg.targets.allow)),
  SERVICE_SOURCE_URI: cfg.service.sourceUri,
  HTTP_PORT: String(cfg.service.httpPort),
  LOG_LEVEL: cfg.service.logLevel,
  SHUTDOWN_GRACE_MS: String(cfg.service.shutdownGraceMs),
  MAX_PARALLEL_SERVICES: String(cfg.service.maxParallelServices),
  LANE_IDLE_MS: String(cfg.service.laneIdleMs),
  MAX_REQUEST_BYTES: String(cfg.service.limits.maxRequestBytes),
  MAX_CLOUDEVENT_ID_BYTES: String(cfg.service.limits.maxCloudEventIdBytes),
  MAX_EXTENSION_ATTRIBUTE_BYTES: String(cfg.service.limits.maxExtensionAttributeBytes),
  MAX_EXTENSION_ATTRIBUTES: String(cfg.service.limits.maxExtensionAttributes),
  MAX_EXTENSION_ATTRIBUTES_BYTES: String(cfg.service.limits.maxExtensionAttributesBytes),
  MAX_NAMESPACES: String(cfg.service.limits.maxNamespaces),
  MAX_JOB_BYTES: String(cfg.service.limits.maxJobBytes),
  SECRET_SIZE_WARN_RATIO: String(cfg.service.secretSizeWarnRatio),
  SERVICE_LEASE_MS: String(cfg.service.leaseMs),
  READINESS_FAST_INTERVAL: formatDurationMs(cfg.service.readiness.fastIntervalMs),
  READINESS_SLOW_INTERVAL: formatDurationMs(cfg.service.readiness.slowIntervalMs),
  HEDGE_MAX_EXTRA_RATIO: String(cfg.service.hedgeMaxExtraRatio),
  EVENT_RETENTION: formatDurationMs(cfg.retention.eventRetentionMs),
  INBOX_RETENTION: formatDurationMs(cfg.retention.inboxRetentionMs),
  DELETED_SERVICE_GRACE: formatDurationMs(cfg.retention.deletedGraceMs),
  RETENTION_INTERVAL: formatDurationMs(cfg.retention.intervalMs),
  REQUEST_DEADLINE: formatDurationMs(cfg.patience.requestDeadlineMs),
  REQUEST_RETRY_BASE_DELAY: formatDurationMs(cfg.patience.retryBaseDelayMs),
  REQUEST_RETRY_MAX_DELAY: formatDurationMs(cfg.patience.retryMaxDelayMs),
})
