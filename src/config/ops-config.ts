/**
 * Configuration of the operator commands: only what a command needs. `loadConfig` wants Kafka,
 * Grafana and the secret even to read Redis, which an operator inspecting a log should not have to
 * invent. Same variables, same value codecs and defaults as the service (src/config/config.ts),
 * and every problem is reported at once, one line per variable.
 */
import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { TargetAllowList } from './target-allow.js'
import {
  DEFAULTS,
  GrafanaApiFromString,
  GrafanaUid,
  HostPortList,
  HttpUrl,
  IntFromString,
  KeyPrefix,
  KubeNamespaceName,
  KubeObjectName,
  LabelName,
  RedisUrl,
  Secret,
  SecretKey,
  type Config,
  type SecretRef,
  type ScrapeConfigRef,
  type ScrapeTargetsConfig,
  scrapeTargets,
  scrapeConfigRef,
  type Env,
} from './config.js'
import { rejectedValueMessage } from './shown-value.js'

export interface RedisOpsConfig {
  readonly redis: Config['redis']
}

/** The commands that change what the service wrote claim each service's lease first, as the service does. */
export interface LeaseOpsConfig {
  /** SERVICE_LEASE_MS, as the service reads it (0: the service takes no lease; the commands then use the default) */
  readonly leaseMs: number
}

export interface ReconcileOpsConfig extends RedisOpsConfig, LeaseOpsConfig {
  readonly kube: Config['kube']
  /** SCRAPE_CONFIG_BACKEND and its settings, read exactly as the service reads them */
  readonly scrape: ScrapeTargetsConfig
  readonly grafana: Omit<Config['grafana'], 'publicUrl'>
  /** repairs rewrite jobs through the register step, under the same target policy as the service */
  readonly targets: Config['targets']
}

interface Reader {
  readonly problems: string[]
  opt<A>(name: string, codec: t.Type<A, string, unknown>): A | undefined
  req<A>(name: string, codec: t.Type<A, string, unknown>): A | undefined
  raw(name: string): string | undefined
}

const reader = (env: Env): Reader => {
  const problems: string[] = []
  const raw = (name: string): string | undefined => {
    const v = env[name]
    return v === undefined || v.trim() === '' ? undefined : v.trim()
  }
  const opt = <A>(name: string, codec: t.Type<A, string, unknown>): A | undefined => {
    const value = raw(name)
    if (value === undefined) return undefined
    const decoded = codec.decode(value)
    if (!isLeft(decoded)) return decoded.right
    problems.push(`${name}: ${rejectedValueMessage(name, codec.name, value)}`)
    return undefined
  }
  const req = <A>(name: string, codec: t.Type<A, string, unknown>): A | undefined => {
    if (raw(name) === undefined) problems.push(`${name}: required (${codec.name}), not set`)
    return opt(name, codec)
  }
  return { problems, opt, req, raw }
}

const redisPart = (r: Reader): Config['redis'] => {
  const clusterNodes = r.opt('REDIS_CLUSTER_NODES', HostPortList)
  return {
    url: r.opt('REDIS_URL', RedisUrl) ?? DEFAULTS.REDIS_URL,
    ...(clusterNodes === undefined ? {} : { clusterNodes }),
    keyPrefix: r.opt('REDIS_KEY_PREFIX', KeyPrefix) ?? DEFAULTS.REDIS_KEY_PREFIX,
  }
}

const done = <A>(r: Reader, value: A): Either<readonly string[], A> => (r.problems.length > 0 ? left(r.problems) : right(value))

/** REDIS_URL, REDIS_CLUSTER_NODES, REDIS_KEY_PREFIX (all with the service's defaults). */
/** The secret the commands read or write (KUBECONFIG, SECRET_*), as the service reads it. */
const kubePart = (r: Reader): Config['kube'] => {
  const kubeconfigPath = r.opt('KUBECONFIG', Secret)
  return kubeconfigPath === undefined ? {} : { kubeconfigPath }
}

const secretPart = (r: Reader): { kube: Config['kube']; secret: SecretRef } => {
  return {
    kube: kubePart(r),
    secret: {
      namespace: r.req('SECRET_NAMESPACE', KubeNamespaceName) ?? '',
      name: r.req('SECRET_NAME', KubeObjectName) ?? '',
      key: r.opt('SECRET_KEY', SecretKey) ?? DEFAULTS.SECRET_KEY,
    },
  }
}

const DEFAULT_LEASE_MS = 15_000
const leaseMsOf = (r: Reader): number => r.opt('SERVICE_LEASE_MS', IntFromString(0, 600_000)) ?? DEFAULT_LEASE_MS

export const loadRedisOpsConfig = (env: Env): Either<readonly string[], RedisOpsConfig> => {
  const r = reader(env)
  return done(r, { redis: redisPart(r) })
}

/** Redis plus what reconcile reads and repairs: the secret (KUBECONFIG, SECRET_*) and Grafana (GRAFANA_*). */
export const loadReconcileOpsConfig = (env: Env): Either<readonly string[], ReconcileOpsConfig> => {
  const r = reader(env)
  const redis = redisPart(r)
  const kube = kubePart(r)
  const scrape = scrapeTargets(r)
  const url = r.req('GRAFANA_URL', HttpUrl) ?? ''
  const token = r.opt('GRAFANA_TOKEN', Secret)
  const user = r.opt('GRAFANA_USER', Secret)
  const password = r.opt('GRAFANA_PASSWORD', Secret)
  const [hasToken, hasUser, hasPassword] = ['GRAFANA_TOKEN', 'GRAFANA_USER', 'GRAFANA_PASSWORD'].map((n) => r.raw(n) !== undefined)
  if (hasToken && (hasUser || hasPassword)) r.problems.push('GRAFANA_TOKEN: set either GRAFANA_TOKEN or GRAFANA_USER+GRAFANA_PASSWORD, not both')
  else if (!hasToken && !hasUser && !hasPassword) r.problems.push('GRAFANA_TOKEN: required (or GRAFANA_USER and GRAFANA_PASSWORD), none set')
  else if (hasUser !== hasPassword)
    r.problems.push(`${hasUser ? 'GRAFANA_PASSWORD' : 'GRAFANA_USER'}: required when ${hasUser ? 'GRAFANA_USER' : 'GRAFANA_PASSWORD'} is set`)
  const grafana = {
    url,
    auth: token !== undefined ? { token } : { ...(user === undefined ? {} : { user }), ...(password === undefined ? {} : { password }) },
    prometheusDatasourceUid: r.opt('GRAFANA_PROMETHEUS_DATASOURCE_UID', GrafanaUid) ?? DEFAULTS.GRAFANA_PROMETHEUS_DATASOURCE_UID,
    lokiDatasourceUid: r.opt('GRAFANA_LOKI_DATASOURCE_UID', GrafanaUid) ?? DEFAULTS.GRAFANA_LOKI_DATASOURCE_UID,
    timeoutMs: r.opt('GRAFANA_TIMEOUT_MS', IntFromString(100, 600_000)) ?? 10_000,
    retries: r.opt('GRAFANA_RETRIES', IntFromString(0, 20)) ?? 4,
    maxConcurrency: r.opt('GRAFANA_MAX_CONCURRENCY', IntFromString(1, 1000)) ?? 32,
    api: r.opt('GRAFANA_API', GrafanaApiFromString) ?? 'auto',
    namespace: r.opt('GRAFANA_NAMESPACE', KubeNamespaceName) ?? 'default',
  }
  // repairs rebuild dashboards: the same log query as the service's
  const lokiServiceLabel = r.opt('LOKI_SERVICE_LABEL', LabelName)
  const allow = r.opt('PROMETHEUS_TARGET_ALLOW', TargetAllowList)
  return done(r, {
    redis,
    leaseMs: leaseMsOf(r),
    kube,
    scrape,
    grafana: lokiServiceLabel === undefined ? grafana : { ...grafana, lokiServiceLabel },
    targets: allow === undefined ? {} : { allow },
  })
}

export interface SecretOpsConfig extends RedisOpsConfig, LeaseOpsConfig {
  readonly kube: Config['kube']
  readonly secret: SecretRef
}

/** Redis plus the secret (KUBECONFIG, SECRET_*): what `adopt` reads and writes. */
export const loadSecretOpsConfig = (env: Env): Either<readonly string[], SecretOpsConfig> => {
  const r = reader(env)
  const redis = redisPart(r)
  const { kube, secret } = secretPart(r)
  return done(r, { redis, leaseMs: leaseMsOf(r), kube, secret })
}

export interface MigrateOpsConfig extends RedisOpsConfig, LeaseOpsConfig {
  readonly kube: Config['kube']
  readonly secret: SecretRef
  readonly scrapeConfig: ScrapeConfigRef
}

/** Redis plus both backends, each required: `migrate` reads one and writes the other. */
export const loadMigrateOpsConfig = (env: Env): Either<readonly string[], MigrateOpsConfig> => {
  const r = reader(env)
  const redis = redisPart(r)
  const { kube, secret } = secretPart(r)
  const scrapeConfig = scrapeConfigRef(r)
  return done(r, { redis, leaseMs: leaseMsOf(r), kube, secret, scrapeConfig })
}
