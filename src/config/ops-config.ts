/**
 * Configuration of the operator commands: only what a command needs. `loadConfig` wants Kafka,
 * Grafana and the secret even to read Redis, which an operator inspecting a log should not have to
 * invent. Same variables, same value codecs and defaults as the service (src/config/config.ts),
 * and every problem is reported at once, one line per variable.
 */
import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import {
  IntFromString,
  grafanaAccess,
  grafanaSettings,
  kubeSettings,
  redisSettings,
  scrapeConfigRef,
  scrapeTargets,
  secretRef,
  targetSettings,
} from './config.js'
import type { Config, EnvReader, Env, SecretRef, ScrapeConfigRef, ScrapeTargetsConfig } from './config.js'
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

interface Reader extends EnvReader {
  readonly problems: string[]
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
  const problem = (name: string, message: string): void => {
    problems.push(`${name}: ${message}`)
  }
  return { problems, opt, req, raw, problem }
}

const done = <A>(r: Reader, value: A): Either<readonly string[], A> => (r.problems.length > 0 ? left(r.problems) : right(value))

/** The secret the commands read or write (KUBECONFIG, SECRET_*), as the service reads it. */
const secretPart = (r: Reader): { kube: Config['kube']; secret: SecretRef } => ({ kube: kubeSettings(r), secret: secretRef(r) })

const DEFAULT_LEASE_MS = 15_000
const leaseMsOf = (r: Reader): number => r.opt('SERVICE_LEASE_MS', IntFromString(0, 600_000)) ?? DEFAULT_LEASE_MS

export const loadRedisOpsConfig = (env: Env): Either<readonly string[], RedisOpsConfig> => {
  const r = reader(env)
  return done(r, { redis: redisSettings(r) })
}

/** Redis plus what reconcile reads and repairs: the secret (KUBECONFIG, SECRET_*) and Grafana (GRAFANA_*). */
export const loadReconcileOpsConfig = (env: Env): Either<readonly string[], ReconcileOpsConfig> => {
  const r = reader(env)
  const redis = redisSettings(r)
  const kube = kubeSettings(r)
  const scrape = scrapeTargets(r)
  const grafana = grafanaSettings(r, grafanaAccess(r))
  return done(r, { redis, leaseMs: leaseMsOf(r), kube, scrape, grafana, targets: targetSettings(r) })
}

export interface SecretOpsConfig extends RedisOpsConfig, LeaseOpsConfig {
  readonly kube: Config['kube']
  readonly secret: SecretRef
}

/** Redis plus the secret (KUBECONFIG, SECRET_*): what `adopt` reads and writes. */
export const loadSecretOpsConfig = (env: Env): Either<readonly string[], SecretOpsConfig> => {
  const r = reader(env)
  const redis = redisSettings(r)
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
  const redis = redisSettings(r)
  const { kube, secret } = secretPart(r)
  const scrapeConfig = scrapeConfigRef(r)
  return done(r, { redis, leaseMs: leaseMsOf(r), kube, secret, scrapeConfig })
}
