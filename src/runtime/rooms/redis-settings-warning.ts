/**
 * At start-up: one warning naming each Redis setting that weakens the service's guarantees
 * (see state/store/redis-settings.ts and docs/runbook.md), or one info line when they cannot be
 * read. Never fails the start: an operator may knowingly run a test Redis without an AOF.
 */
import type { RedisClient } from '../../state/store/redis-scripts.js'
import { probeRedisSettings, unsafeRedisSettings } from '../../state/store/redis-settings.js'

/** The two log calls it makes (the pino logger has them). */
export interface SettingsLog {
  warn(fields: object, message: string): void
  info(fields: object, message: string): void
}

export const warnOnUnsafeRedisSettings = async (redis: RedisClient, logger: SettingsLog): Promise<void> => {
  const probe = await probeRedisSettings(redis)
  if (!probe.readable) {
    logger.info(
      { reason: probe.reason },
      'could not read the Redis settings (CONFIG GET not allowed): check appendonly, appendfsync and maxmemory-policy by hand',
    )
    return
  }
  const unsafe = unsafeRedisSettings(probe.settings)
  if (unsafe.length === 0) return
  const named = unsafe.map((u) => `${u.setting} ${u.value} (want ${u.expected})`).join(', ')
  logger.warn({ unsafe, redisVersion: probe.settings.version }, `Redis settings unsafe for the service's durability guarantees: ${named}`)
}
