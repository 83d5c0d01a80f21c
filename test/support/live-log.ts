/**
 * A realistic event log for the operator specs: the real service (test/support/service-harness.ts)
 * serves a few requests from Kafka, then is stopped, leaving its log in Redis and its jobs and
 * dashboards in the simulators.
 */
import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { RequestTopics } from '../../src/codecs/topics.js'
import type { EventStore } from '../../src/state/store/event-store.js'
import { createRequestSample, deleteRequestSample } from '../fixtures/spec-samples.js'
import { publish } from './kafka-helpers.js'
import { startHarness, type Harness, type HarnessOptions } from './service-harness.js'

export const createRequest = (serviceId: string, namespaces: string[] = ['NAMESPACE_1', 'NAMESPACE_2']) => ({
  ...createRequestSample,
  id: randomUUID(),
  kogitoprocinstanceid: randomUUID(),
  data: { serviceId, namespaces, prometheus: { host: '10.10.10.4', port: 30180 } },
})
export const deleteRequest = (serviceId: string) => ({ ...deleteRequestSample, id: randomUUID(), kogitoprocinstanceid: randomUUID(), data: { serviceId } })

export interface LiveLog {
  readonly harness: Harness
  /** a plain client (no keyPrefix) on the harness's Redis; keys carry `prefix` explicitly */
  readonly redis: Redis
  readonly prefix: string
  stop(): Promise<void>
}

const settled = async (store: EventStore, serviceIds: readonly string[], timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const states = await Promise.all(serviceIds.map((id) => store.load(id)))
    if (states.every((s) => s.version > 0 && s.pending.length === 0 && s.outstanding.length === 0)) return
    if (Date.now() > deadline)
      throw new Error(`services did not settle: ${JSON.stringify(states.map((s) => [s.serviceId, s.version, s.pending.length, s.outstanding.length]))}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Creates `active` (in that order), then creates and deletes `deleted`; waits until all are done; stops the service. */
export const writeLiveLog = async (active: readonly string[], deleted: readonly string[], options: HarnessOptions = {}): Promise<LiveLog> => {
  const harness = await startHarness(options)
  try {
    await harness.startService()
    const all = [...active, ...deleted]
    await publish(
      RequestTopics.create,
      all.map((id) => ({ key: id, value: JSON.stringify(createRequest(id)) })),
    )
    await settled(harness.store, all, 30_000)
    if (deleted.length > 0) {
      await publish(
        RequestTopics.delete,
        deleted.map((id) => ({ key: id, value: JSON.stringify(deleteRequest(id)) })),
      )
      const deadline = Date.now() + 30_000
      while ((await Promise.all(deleted.map((id) => harness.store.load(id)))).some((s) => s.status !== 'deleted' || s.outstanding.length > 0)) {
        if (Date.now() > deadline) throw new Error('deletes did not complete')
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
    await harness.stopService()
  } catch (error) {
    await harness.stop()
    throw error
  }
  const redis = new Redis(harness.stack.config.redis.url, { maxRetriesPerRequest: 3 })
  return {
    harness,
    redis,
    prefix: harness.stack.config.redis.keyPrefix,
    stop: async () => {
      redis.disconnect()
      await harness.stop()
    },
  }
}
