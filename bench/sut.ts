/**
 * The service under test, started in-process exactly as `telemetry-client run` does (same config
 * from the environment, same wiring), on its own simulators with the run's latency profile, its
 * own Redis key prefix and its own consumer group (fast-forwarded past earlier runs' requests).
 */
import { randomUUID } from 'node:crypto'
import { RequestTopics } from '../src/codecs/topics.js'
import { startDevStack, type DevStack } from '../dev/dev-stack.js'
import { createLogger } from '../src/support/logger.js'
import { startService, type RunningService } from '../src/runtime/service.js'
import type { BenchInfra } from './infra.js'
import { fastForwardGroup, SERVICE_CONSUMER } from './kafka-bench.js'
import { applyProfile, type LatencyProfile } from './profiles.js'
import { waitUntil } from './stats.js'

export interface ServiceUnderTest {
  readonly stack: DevStack
  readonly service: RunningService
  stop(): Promise<void>
}

export const startServiceUnderTest = async (
  infra: BenchInfra,
  profile: LatencyProfile,
  env: Readonly<Record<string, string>> = {},
): Promise<ServiceUnderTest> => {
  const instance = `bench-${randomUUID().slice(0, 8)}`
  const [stack] = await Promise.all([
    startDevStack({ redisUrl: infra.redisUrl, kafkaBrokers: infra.brokers.join(','), instance, env }),
    fastForwardGroup(infra.kafka, `telemetry-client-${instance}`, Object.values(RequestTopics)),
  ])
  applyProfile(stack, profile)
  let service: RunningService | undefined
  try {
    service = await startService(stack.config, { logger: createLogger('silent'), consumerTuning: SERVICE_CONSUMER, sweepIntervalMs: 30_000 })
    const running = service
    await waitUntil(() => running.ready(), 30_000, 'the service to join its consumer group', 100)
  } catch (error) {
    await service?.stop()
    await stack.stop()
    throw error
  }
  const running = service
  return {
    stack,
    service: running,
    stop: async () => {
      await running.stop()
      await stack.stop()
    },
  }
}
