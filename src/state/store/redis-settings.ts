/**
 * The Redis settings the service's guarantees rely on, read at start-up.
 *
 * "Nothing lost" means: the Kafka offset is committed only once `RequestAccepted` is in Redis.
 * That only holds if Redis keeps what it acknowledged:
 * - `appendonly yes`: without the AOF a restart loses everything since the last RDB save;
 * - `appendfsync always`: `everysec` may lose the last second of acknowledged writes on a crash of
 *   the host (Redis ≥ 7.2 offers `WAITAOF` to wait for the fsync instead), `no` leaves it to the OS;
 * - `maxmemory-policy noeviction`: any eviction policy may drop an event stream or the inbox's
 *   seen-ids hash; with `noeviction` a full Redis refuses writes, which the inbox retries.
 *
 * CONFIG is often forbidden (managed Redis, ACLs, renamed commands): then nothing can be judged
 * and the caller says so once. On Redis Cluster the answer is one node's: the nodes of one
 * deployment are configured alike.
 */
import type { RedisClient } from './redis-scripts.js'

export interface RedisSettings {
  readonly version?: string
  readonly values: Readonly<Record<string, string>>
}

export interface UnsafeRedisSetting {
  readonly setting: string
  readonly value: string
  readonly expected: string
  readonly risk: string
}

export type RedisSettingsProbe = { readonly readable: true; readonly settings: RedisSettings } | { readonly readable: false; readonly reason: string }

export const PROBED_SETTINGS = ['appendonly', 'appendfsync', 'maxmemory-policy'] as const

/** `[k1, v1, k2, v2, …]` (RESP2) into a record; anything else is ignored. */
const pairs = (reply: unknown): Record<string, string> => {
  const out: Record<string, string> = {}
  if (!Array.isArray(reply)) return out
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const [key, value] = [reply[i] as unknown, reply[i + 1] as unknown]
    if (typeof key === 'string' && typeof value === 'string') out[key] = value
  }
  return out
}

const versionOf = (info: unknown): string | undefined => (typeof info === 'string' ? /redis_version:([^\r\n]+)/.exec(info)?.[1] : undefined)

/** Reads the settings with CONFIG GET (and the version with INFO); never throws. */
export const probeRedisSettings = async (redis: RedisClient): Promise<RedisSettingsProbe> => {
  try {
    const replies = await Promise.all(PROBED_SETTINGS.map((name) => redis.call('CONFIG', 'GET', name)))
    const values = Object.assign({}, ...replies.map(pairs)) as Record<string, string>
    const version = versionOf(await redis.call('INFO', 'server').catch(() => undefined))
    return { readable: true, settings: { values, ...(version === undefined ? {} : { version }) } }
  } catch (error) {
    return { readable: false, reason: (error instanceof Error ? error.message : String(error)).slice(0, 200) }
  }
}

const atLeast = (version: string | undefined, major: number, minor: number): boolean => {
  const [a, b] = (version ?? '0.0').split('.').map(Number)
  return (a ?? 0) > major || ((a ?? 0) === major && (b ?? 0) >= minor)
}

/** Each setting that weakens a guarantee, with what it should be and what is at risk. Pure. */
export const unsafeRedisSettings = (settings: RedisSettings): readonly UnsafeRedisSetting[] => {
  const unsafe: UnsafeRedisSetting[] = []
  const { appendonly, appendfsync } = settings.values
  const policy = settings.values['maxmemory-policy']
  if (appendonly !== undefined && appendonly !== 'yes') {
    unsafe.push({
      setting: 'appendonly',
      value: appendonly,
      expected: 'yes',
      risk: 'a Redis restart loses accepted requests whose Kafka offsets are already committed',
    })
  }
  // without the AOF its fsync policy means nothing: the appendonly line says it all
  if (appendonly === 'yes' && appendfsync !== undefined && appendfsync !== 'always') {
    const wait = atLeast(settings.version, 7, 2) ? ' (or WAITAOF, available on this Redis)' : ''
    unsafe.push({
      setting: 'appendfsync',
      value: appendfsync,
      expected: `always${wait}`,
      risk: 'a crash of the Redis host may lose the last acknowledged writes',
    })
  }
  if (policy !== undefined && policy !== 'noeviction') {
    unsafe.push({ setting: 'maxmemory-policy', value: policy, expected: 'noeviction', risk: 'eviction may drop event logs or the inbox dedupe ids' })
  }
  return unsafe
}
