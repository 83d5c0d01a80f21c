/**
 * Configuration from the environment, as one io-ts codec: `Config.decode(process.env)`.
 *
 * Every variable is checked and every problem is reported at once (one line each, naming the
 * variable), because a pod that fails on the first bad variable takes one restart per mistake.
 * Values are trimmed; an empty variable counts as unset (`FOO=` in a manifest means "default").
 * Each variable's value codec (string → value) is exported for tests and docs.
 */
import { isLeft } from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { DEFAULT_DEAD_LETTER_TOPIC, RequestTopics, ResultTopics } from '../codecs/topics.js'
import { DEFAULT_REQUEST_LIMITS } from '../codecs/limits.js'
import {
  BooleanFromString,
  BrokerList,
  GrafanaApiFromString,
  GrafanaUid,
  HostPortList,
  HttpUrl,
  IntFromString,
  KeyPrefix,
  KubeNamespaceName,
  KubeObjectName,
  LabelName,
  FractionFromString,
  LogLevelFromString,
  RatioFromString,
  RedisUrl,
  SaslMechanismFromString,
  ScrapeBackendFromString,
  Secret,
  SecretKey,
  Text,
  TopicName,
} from './env-values.js'

import { configToEnv } from './config-to-env.js'
import { TargetAllowList } from './target-allow.js'
import { rejectedValueMessage } from './shown-value.js'
import { DurationFromString } from './duration.js'
import type { ConfigShape, ScrapeConfigRef, ScrapeTargetsConfig, SecretRef } from './config-shape.js'
export type { SecretRef, ScrapeConfigRef, ScrapeTargetsConfig } from './config-shape.js'
import { KubeLabels } from './kube-labels.js'

// the value codecs are part of this module's surface (tests, ops-config)
export * from './env-values.js'
export { KubeLabels } from './kube-labels.js'
export { configToEnv } from './config-to-env.js'

export type Env = Readonly<Record<string, string | undefined>>

/** The decoded configuration (shape in config-shape.ts); the codec of the same name decodes it. */
export type Config = ConfigShape

export const DEFAULTS = {
  KAFKA_CLIENT_ID: 'telemetry-client',
  KAFKA_GROUP_ID: 'telemetry-client',
  DEAD_LETTER_TOPIC: DEFAULT_DEAD_LETTER_TOPIC,
  REDIS_URL: 'redis://127.0.0.1:6379',
  REDIS_KEY_PREFIX: 'tc:',
  SECRET_KEY: 'prometheus-additional.yaml',
  GRAFANA_PROMETHEUS_DATASOURCE_UID: 'prometheus',
  GRAFANA_LOKI_DATASOURCE_UID: 'loki',
  SERVICE_SOURCE_URI: '/telemetry-client',
  // chosen from bench B3 and B11 (bench/lanes.ts, bench/results.md)
  MAX_PARALLEL_SERVICES: 1024,
} as const

const REQUEST_BYTES = IntFromString(1024, 100 * 1024 * 1024)
/** Kafka's own default `message.max.bytes` (1,000,012 in recent brokers), rounded down. */
export const DEFAULT_KAFKA_MAX_RECORD_BYTES = 1_000_000

const CONTRACT_TOPICS: readonly string[] = [...Object.values(RequestTopics), ...Object.values(ResultTopics)]

export interface EnvReader {
  raw(name: string): string | undefined
  opt<A>(name: string, codec: t.Type<A, string, unknown>): A | undefined
  req<A>(name: string, codec: t.Type<A, string, unknown>): A | undefined
  /** report a problem with a variable (never its value: it may be a credential) */
  problem(name: string, message: string): void
}

/** REDIS_URL, REDIS_CLUSTER_NODES, REDIS_KEY_PREFIX: the service's and the operator commands' */
export const redisSettings = (r: EnvReader): Config['redis'] => {
  const clusterNodes = r.opt('REDIS_CLUSTER_NODES', HostPortList)
  return {
    url: r.opt('REDIS_URL', RedisUrl) ?? DEFAULTS.REDIS_URL,
    ...(clusterNodes === undefined ? {} : { clusterNodes }),
    keyPrefix: r.opt('REDIS_KEY_PREFIX', KeyPrefix) ?? DEFAULTS.REDIS_KEY_PREFIX,
  }
}

/** PROMETHEUS_TARGET_ALLOW: which scrape targets a request may name (any when unset) */
export const targetSettings = (r: EnvReader): Config['targets'] => {
  const allow = r.opt('PROMETHEUS_TARGET_ALLOW', TargetAllowList)
  return allow === undefined ? {} : { allow }
}

/** KUBECONFIG (in-cluster when unset) */
export const kubeSettings = (r: EnvReader): Config['kube'] => {
  const kubeconfigPath = r.opt('KUBECONFIG', Secret)
  return kubeconfigPath === undefined ? {} : { kubeconfigPath }
}

type GrafanaAccess = Pick<Config['grafana'], 'url' | 'auth'>

/** GRAFANA_URL and the credentials: one token, or a user with a password */
export const grafanaAccess = (r: EnvReader): GrafanaAccess => {
  const url = r.req('GRAFANA_URL', HttpUrl) ?? ''
  const token = r.opt('GRAFANA_TOKEN', Secret)
  const user = r.opt('GRAFANA_USER', Secret)
  const password = r.opt('GRAFANA_PASSWORD', Secret)
  const [hasToken, hasUser, hasPassword] = ['GRAFANA_TOKEN', 'GRAFANA_USER', 'GRAFANA_PASSWORD'].map((n) => r.raw(n) !== undefined)
  if (hasToken && (hasUser || hasPassword)) r.problem('GRAFANA_TOKEN', 'set either GRAFANA_TOKEN or GRAFANA_USER+GRAFANA_PASSWORD, not both')
  else if (!hasToken && !hasUser && !hasPassword) r.problem('GRAFANA_TOKEN', 'required (or GRAFANA_USER and GRAFANA_PASSWORD), none set')
  else if (hasUser && !hasPassword) r.problem('GRAFANA_PASSWORD', 'required when GRAFANA_USER is set')
  else if (hasPassword && !hasUser) r.problem('GRAFANA_USER', 'required when GRAFANA_PASSWORD is set')
  return { url, auth: token !== undefined ? { token } : { ...(user === undefined ? {} : { user }), ...(password === undefined ? {} : { password }) } }
}

/** The rest of GRAFANA_* (GRAFANA_PUBLIC_URL is the service's alone) and LOKI_SERVICE_LABEL, with their defaults */
export const grafanaSettings = (r: EnvReader, access: GrafanaAccess): Omit<Config['grafana'], 'publicUrl'> => {
  // the log queries of the logs dashboards select the service by this label
  const lokiServiceLabel = r.opt('LOKI_SERVICE_LABEL', LabelName)
  return {
    ...access,
    prometheusDatasourceUid: r.opt('GRAFANA_PROMETHEUS_DATASOURCE_UID', GrafanaUid) ?? DEFAULTS.GRAFANA_PROMETHEUS_DATASOURCE_UID,
    lokiDatasourceUid: r.opt('GRAFANA_LOKI_DATASOURCE_UID', GrafanaUid) ?? DEFAULTS.GRAFANA_LOKI_DATASOURCE_UID,
    timeoutMs: r.opt('GRAFANA_TIMEOUT_MS', IntFromString(100, 600_000)) ?? 10_000,
    retries: r.opt('GRAFANA_RETRIES', IntFromString(0, 20)) ?? 4,
    maxConcurrency: r.opt('GRAFANA_MAX_CONCURRENCY', IntFromString(1, 1000)) ?? 32,
    api: r.opt('GRAFANA_API', GrafanaApiFromString) ?? 'auto',
    namespace: r.opt('GRAFANA_NAMESPACE', KubeNamespaceName) ?? 'default',
    ...(lokiServiceLabel === undefined ? {} : { lokiServiceLabel }),
  }
}

/** SCRAPE_CONFIG_NAMESPACE (required), SCRAPE_CONFIG_LABELS, SCRAPE_CONFIG_MAX_IN_FLIGHT. */
export const scrapeConfigRef = (r: EnvReader): ScrapeConfigRef => ({
  namespace: r.req('SCRAPE_CONFIG_NAMESPACE', KubeNamespaceName) ?? '',
  labels: r.opt('SCRAPE_CONFIG_LABELS', KubeLabels) ?? {},
  maxInFlight: r.opt('SCRAPE_CONFIG_MAX_IN_FLIGHT', IntFromString(1, 1000)) ?? 16,
})

/** SECRET_NAMESPACE and SECRET_NAME (required), SECRET_KEY: the secret holding the scrape-config list */
export const secretRef = (r: EnvReader): SecretRef => ({
  namespace: r.req('SECRET_NAMESPACE', KubeNamespaceName) ?? '',
  name: r.req('SECRET_NAME', KubeObjectName) ?? '',
  key: r.opt('SECRET_KEY', SecretKey) ?? DEFAULTS.SECRET_KEY,
})

/**
 * SCRAPE_CONFIG_BACKEND and the settings of each backend: the active backend's are required
 * (SECRET_NAMESPACE+SECRET_NAME, or SCRAPE_CONFIG_NAMESPACE), the other's are read when given.
 */
export const scrapeTargets = (r: EnvReader): ScrapeTargetsConfig => {
  const backend = r.opt('SCRAPE_CONFIG_BACKEND', ScrapeBackendFromString) ?? 'secret'
  const secretGiven = backend === 'secret' || r.raw('SECRET_NAMESPACE') !== undefined || r.raw('SECRET_NAME') !== undefined
  const secret = secretGiven ? secretRef(r) : undefined
  const scrapeConfigGiven = backend === 'scrapeconfig' || r.raw('SCRAPE_CONFIG_NAMESPACE') !== undefined
  const scrapeConfig = scrapeConfigGiven ? scrapeConfigRef(r) : undefined
  if (backend === 'secret')
    return { backend, secret: secret ?? { namespace: '', name: '', key: DEFAULTS.SECRET_KEY }, ...(scrapeConfig === undefined ? {} : { scrapeConfig }) }
  return { backend, scrapeConfig: scrapeConfig ?? { namespace: '', labels: {}, maxInFlight: 16 }, ...(secret === undefined ? {} : { secret }) }
}

const decodeEnv = (u: unknown, c: t.Context): t.Validation<Config> => {
  if (typeof u !== 'object' || u === null) return t.failure(u, c)
  const env = u as Record<string, unknown>
  const errors: t.ValidationError[] = []
  const raw = (name: string): string | undefined => {
    const v = env[name]
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined
  }
  // the value is never kept in the error: a credential must not reach any reporter
  const problem = (name: string, message: string): void => {
    errors.push({ value: undefined, context: [...c, { key: name, type: t.string, actual: undefined }], message })
  }
  const opt = <A>(name: string, codec: t.Type<A, string, unknown>): A | undefined => {
    const r = raw(name)
    if (r === undefined) return undefined
    const d = codec.validate(r, [...c, { key: name, type: codec, actual: r }])
    if (!isLeft(d)) return d.right
    problem(name, rejectedValueMessage(name, codec.name, r))
    return undefined
  }
  const req = <A>(name: string, codec: t.Type<A, string, unknown>): A | undefined => {
    if (raw(name) === undefined) problem(name, `required (${codec.name}), not set`)
    return opt(name, codec)
  }
  const def = <A>(name: string, codec: t.Type<A, string, unknown>, fallback: A): A => opt(name, codec) ?? fallback

  const brokers = req('KAFKA_BROKERS', BrokerList)
  const mechanism = opt('KAFKA_SASL_MECHANISM', SaslMechanismFromString)
  const saslUser = opt('KAFKA_SASL_USERNAME', Secret)
  const saslPassword = opt('KAFKA_SASL_PASSWORD', Secret)
  if (mechanism !== undefined && saslUser === undefined) problem('KAFKA_SASL_USERNAME', 'required when KAFKA_SASL_MECHANISM is set')
  if (mechanism !== undefined && saslPassword === undefined) problem('KAFKA_SASL_PASSWORD', 'required when KAFKA_SASL_MECHANISM is set')
  if (mechanism === undefined && raw('KAFKA_SASL_MECHANISM') === undefined && (raw('KAFKA_SASL_USERNAME') ?? raw('KAFKA_SASL_PASSWORD')) !== undefined) {
    problem('KAFKA_SASL_MECHANISM', 'required when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set')
  }

  const reader: EnvReader = { raw, opt, req, problem }
  const grafanaAt = grafanaAccess(reader)

  const deadLetterTopic = def('DEAD_LETTER_TOPIC', TopicName, DEFAULTS.DEAD_LETTER_TOPIC)
  if (CONTRACT_TOPICS.includes(deadLetterTopic)) problem('DEAD_LETTER_TOPIC', `must not be a request or result topic, got "${deadLetterTopic}"`)

  const config = {
    kafka: {
      brokers: brokers ?? [],
      clientId: def('KAFKA_CLIENT_ID', Text, DEFAULTS.KAFKA_CLIENT_ID),
      groupId: def('KAFKA_GROUP_ID', Text, DEFAULTS.KAFKA_GROUP_ID),
      ssl: def('KAFKA_SSL', BooleanFromString, false),
      consumer: {
        sessionTimeout: def('KAFKA_SESSION_TIMEOUT_MS', IntFromString(1000, 3_600_000), 30_000),
        heartbeatInterval: def('KAFKA_HEARTBEAT_INTERVAL_MS', IntFromString(100, 600_000), 3_000),
        maxWaitTimeInMs: def('KAFKA_MAX_WAIT_MS', IntFromString(10, 60_000), 5_000),
        rebalanceTimeout: def('KAFKA_REBALANCE_TIMEOUT_MS', IntFromString(1000, 3_600_000), 60_000),
      },
      maxRecordBytes: def('KAFKA_MAX_RECORD_BYTES', IntFromString(4096, 100 * 1024 * 1024), DEFAULT_KAFKA_MAX_RECORD_BYTES),
      ...(mechanism !== undefined && saslUser !== undefined && saslPassword !== undefined
        ? { sasl: { mechanism, username: saslUser, password: saslPassword } }
        : {}),
    },
    redis: redisSettings(reader),
    kube: kubeSettings(reader),
    // read here, where SECRET_* always were: problems are reported in the variables' order
    scrape: scrapeTargets(reader),
    grafana: { publicUrl: def('GRAFANA_PUBLIC_URL', HttpUrl, grafanaAt.url), ...grafanaSettings(reader, grafanaAt) },
    targets: targetSettings(reader),
    service: {
      sourceUri: def('SERVICE_SOURCE_URI', Text, DEFAULTS.SERVICE_SOURCE_URI),
      httpPort: def('HTTP_PORT', IntFromString(0, 65535), 8080),
      logLevel: def('LOG_LEVEL', LogLevelFromString, 'info'),
      shutdownGraceMs: def('SHUTDOWN_GRACE_MS', IntFromString(0, 600_000), 25_000),
      maxParallelServices: def('MAX_PARALLEL_SERVICES', IntFromString(1, 100_000), DEFAULTS.MAX_PARALLEL_SERVICES),
      laneIdleMs: def('LANE_IDLE_MS', IntFromString(100, 86_400_000), 30_000),
      // limits at the door (src/codecs/limits.ts); MAX_MESSAGE_BYTES is the deprecated name of MAX_REQUEST_BYTES
      limits: {
        maxRequestBytes: def('MAX_REQUEST_BYTES', REQUEST_BYTES, def('MAX_MESSAGE_BYTES', REQUEST_BYTES, DEFAULT_REQUEST_LIMITS.maxRequestBytes)),
        maxCloudEventIdBytes: def('MAX_CLOUDEVENT_ID_BYTES', IntFromString(36, 65_536), DEFAULT_REQUEST_LIMITS.maxCloudEventIdBytes),
        maxExtensionAttributeBytes: def('MAX_EXTENSION_ATTRIBUTE_BYTES', IntFromString(64, 262_144), DEFAULT_REQUEST_LIMITS.maxExtensionAttributeBytes),
        maxExtensionAttributes: def('MAX_EXTENSION_ATTRIBUTES', IntFromString(1, 1000), DEFAULT_REQUEST_LIMITS.maxExtensionAttributes),
        maxExtensionAttributesBytes: def('MAX_EXTENSION_ATTRIBUTES_BYTES', IntFromString(256, 262_144), DEFAULT_REQUEST_LIMITS.maxExtensionAttributesBytes),
        maxNamespaces: def('MAX_NAMESPACES', IntFromString(1, 10_000), DEFAULT_REQUEST_LIMITS.maxNamespaces),
        maxJobBytes: def('MAX_JOB_BYTES', IntFromString(256, 1024 * 1024), DEFAULT_REQUEST_LIMITS.maxJobBytes),
      },
      secretSizeWarnRatio: def('SECRET_SIZE_WARN_RATIO', RatioFromString, 0.8),
      deadLetterTopic,
      leaseMs: def('SERVICE_LEASE_MS', IntFromString(0, 600_000), 15_000),
      readiness: {
        fastIntervalMs: def('READINESS_FAST_INTERVAL', DurationFromString(100, 60_000), 3000),
        slowIntervalMs: def('READINESS_SLOW_INTERVAL', DurationFromString(100, 3_600_000), 30_000),
      },
      hedgeMaxExtraRatio: def('HEDGE_MAX_EXTRA_RATIO', FractionFromString, 0.05),
    },
    retention: {
      eventRetentionMs: def('EVENT_RETENTION', DurationFromString(3_600_000, 3650 * 86_400_000), 30 * 86_400_000),
      inboxRetentionMs: def('INBOX_RETENTION', DurationFromString(3_600_000, 3650 * 86_400_000), 14 * 86_400_000),
      deletedGraceMs: def('DELETED_SERVICE_GRACE', DurationFromString(0, 3650 * 86_400_000), 7 * 86_400_000),
      intervalMs: def('RETENTION_INTERVAL', DurationFromString(0, 7 * 86_400_000), 3_600_000),
    },
    patience: {
      requestDeadlineMs: def('REQUEST_DEADLINE', DurationFromString(0, 7 * 86_400_000), 15 * 60_000),
      retryBaseDelayMs: def('REQUEST_RETRY_BASE_DELAY', DurationFromString(10, 3_600_000), 1000),
      retryMaxDelayMs: def('REQUEST_RETRY_MAX_DELAY', DurationFromString(10, 3_600_000), 60_000),
    },
  } satisfies Config
  return errors.length > 0 ? t.failures(errors) : t.success(config)
}

/** `Config.decode(process.env)`: every problem as one error whose path is the variable's name. */
export const Config = new t.Type<Config, Record<string, string>, unknown>(
  'Config',
  (u): u is Config => typeof u === 'object' && u !== null && 'kafka' in u && 'grafana' in u && 'service' in u,
  decodeEnv,
  configToEnv,
)
