/** Redis's own count of the memory it holds (`INFO memory` used_memory), for per-service deltas. */
import type { Redis } from 'ioredis'

export const usedMemory = async (redis: Redis): Promise<number> => {
  const info = await redis.info('memory')
  const match = /^used_memory:(\d+)/m.exec(info)
  if (match === null) throw new Error('INFO memory has no used_memory')
  return Number(match[1])
}
