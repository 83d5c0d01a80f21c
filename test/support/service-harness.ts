/**
 * An end-to-end harness: a dedicated Kafka mock for this spec file (the service reads its request
 * topics from the beginning, so files must not see each other's messages), the shared Redis with
 * a unique key prefix, both simulators, and the service itself started in-process exactly as
 * `telemetry-client run` starts it, configured through the same environment contract.
 */
import { randomUUID } from 'node:crypto'
import { Writable } from 'node:stream'
import { startDevStack, type DevStack, type DevStackOptions } from '../../dev/dev-stack.js'
import { startKafkaMock, type KafkaMockHandle } from '../../dev/kafka-mock.js'
import { createLogger, type Logger } from '../../src/support/logger.js'
import { startService, type RunningService, type ServiceOptions } from '../../src/runtime/service.js'
import { createEventStore, type EventStore } from '../../src/state/store/event-store.js'
import { createRedis } from '../../src/state/store/redis-client.js'
import { FAST_CONSUMER_SETTINGS } from './kafka-helpers.js'
import { testRedisUrl } from './redis-helpers.js'

export interface Harness {
  readonly stack: DevStack
  readonly kafka: KafkaMockHandle
  readonly logs: string[]
  /** the service's event log, read on a connection of the test's own (as an operator reads it) */
  readonly store: EventStore
  service: RunningService | undefined
  startService(): Promise<RunningService>
  stopService(): Promise<void>
  stop(): Promise<void>
}

/** Log lines are kept in memory (for redaction checks) and echoed when TEST_LOGS=1. */
const memoryLogger = (lines: string[]): Logger =>
  createLogger(
    process.env['TEST_LOGS'] === '1' ? 'debug' : 'info',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'))
        if (process.env['TEST_LOGS'] === '1') process.stderr.write(chunk)
        done()
      },
    }),
  )

export type HarnessOptions = Partial<Omit<DevStackOptions, 'kafkaBrokers'>> & Pick<ServiceOptions, 'wrapProducer' | 'now' | 'tracing'>

export const startHarness = async (options: HarnessOptions = {}): Promise<Harness> => {
  const kafka = await startKafkaMock()
  const previousBrokers = process.env['TEST_KAFKA_BROKERS']
  process.env['TEST_KAFKA_BROKERS'] = kafka.bootstrap
  // the flow, fault and crash specs speak `/apis` unless a spec asks for another GRAFANA_API
  const env = { GRAFANA_API: 'apis', ...options.env }
  const stack = await startDevStack({
    ...options,
    env,
    redisUrl: options.redisUrl ?? testRedisUrl(),
    kafkaBrokers: kafka.bootstrap,
    instance: options.instance ?? randomUUID().slice(0, 8),
  })
  const logs: string[] = []
  const redis = createRedis(stack.config.redis)
  await redis.connect()
  const harness: Harness = {
    stack,
    kafka,
    logs,
    store: createEventStore(redis, stack.config.redis.keyPrefix),
    service: undefined,
    startService: async () => {
      harness.service = await startService(stack.config, {
        logger: memoryLogger(logs),
        consumerTuning: FAST_CONSUMER_SETTINGS,
        sweepIntervalMs: 1000,
        ...(options.wrapProducer ? { wrapProducer: options.wrapProducer } : {}),
        ...(options.now ? { now: options.now } : {}),
        ...(options.tracing ? { tracing: options.tracing } : {}),
      })
      return harness.service
    },
    stopService: async () => {
      await harness.service?.stop()
      harness.service = undefined
    },
    stop: async () => {
      await harness.stopService()
      redis.disconnect()
      await stack.stop()
      await kafka.stop()
      if (previousBrokers === undefined) delete process.env['TEST_KAFKA_BROKERS']
      else process.env['TEST_KAFKA_BROKERS'] = previousBrokers
    },
  }
  return harness
}
