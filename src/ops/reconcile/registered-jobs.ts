/**
 * What the event logs say the service registered, read only where it is needed: the index names
 * the services that have a log (one read); `fingerprints` then loads just the services asked
 * about, a few at a time, and gives the fingerprint of the job each registered and did not remove
 * since. The doctor's ownership check asks only about jobs it finds outside the ownership record,
 * so a healthy secret costs no log read however many services there are.
 */
import { from, lastValueFrom, mergeMap, toArray } from 'rxjs'
import type { Config } from '../../config/config.js'
import { createEventStore } from '../../state/store/event-store.js'
import { createRedis } from '../../state/store/redis-client.js'

/** Logs loaded at once: enough to hide Redis' round trips, few enough not to crowd the service's own calls. */
const LOADS_IN_FLIGHT = 16

export interface RegisteredJobs {
  /** the serviceIds that have an event log */
  readonly services: ReadonlySet<string>
  /** serviceId → fingerprint of its registered job, for those of `serviceIds` that have one */
  fingerprints(serviceIds: Iterable<string>): Promise<ReadonlyMap<string, string>>
}

export const withRegisteredJobs = async <T>(config: Config['redis'], use: (jobs: RegisteredJobs) => Promise<T>): Promise<T> => {
  const redis = createRedis(config)
  redis.on('error', () => undefined)
  try {
    await redis.connect()
    const store = createEventStore(redis, config.keyPrefix)
    const services = new Set((await store.listServices()).map((s) => s.serviceId))
    const fingerprints = async (serviceIds: Iterable<string>): Promise<ReadonlyMap<string, string>> => {
      const wanted = [...new Set(serviceIds)].filter((id) => services.has(id))
      const loaded = await lastValueFrom(
        from(wanted).pipe(
          mergeMap((id) => store.load(id), LOADS_IN_FLIGHT),
          toArray(),
        ),
        { defaultValue: [] },
      )
      return new Map(loaded.flatMap(({ job }) => (job === null ? [] : [[job.jobName, job.fingerprint] as const])))
    }
    return await use({ services, fingerprints })
  } finally {
    await redis.quit().catch(() => redis.disconnect())
  }
}
