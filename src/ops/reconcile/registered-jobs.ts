/**
 * What the event logs say the service registered: serviceId → fingerprint of its job, for every
 * service whose log holds a job not removed since. The authority the doctor's ownership check
 * compares the scrape backend with (the ownership record is only the fast path).
 */
import type { Config } from '../../config/config.js'
import { createEventStore } from '../../state/store/event-store.js'
import { createRedis } from '../../state/store/redis-client.js'

export const registeredJobs = async (config: Config['redis']): Promise<ReadonlyMap<string, string>> => {
  const redis = createRedis(config)
  redis.on('error', () => undefined)
  try {
    await redis.connect()
    const store = createEventStore(redis, config.keyPrefix)
    const out = new Map<string, string>()
    for (const { serviceId } of await store.listServices()) {
      const { job } = await store.load(serviceId)
      if (job !== null) out.set(job.jobName, job.fingerprint)
    }
    return out
  } finally {
    await redis.quit().catch(() => redis.disconnect())
  }
}
