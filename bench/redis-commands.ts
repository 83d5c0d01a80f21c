/**
 * Redis's own count of the commands it ran (`INFO commandstats`), for per-create deltas: what a
 * create costs the Redis a deployment shares. Redis counts a script's inner commands too, so an
 * EVALSHA is one round trip and its inner calls are listed beside it.
 */
import type { Redis } from 'ioredis'

export type CommandCounts = ReadonlyMap<string, number>

export const commandCounts = async (redis: Redis): Promise<CommandCounts> => {
  const info = await redis.info('commandstats')
  const counts = new Map<string, number>()
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) counts.set(match[1] ?? '', Number(match[2]))
  return counts
}

/** Commands run between two counts, per `per` (creates), the bench's own INFO calls left out; most first. */
export const commandsPer = (before: CommandCounts, after: CommandCounts, per: number): ReadonlyArray<readonly [string, number]> =>
  [...after]
    .filter(([name]) => name !== 'info')
    .map(([name, calls]): [string, number] => [name, (calls - (before.get(name) ?? 0)) / per])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
