/**
 * The consumer of the three request topics, with what the service watches on it: group joins
 * (readiness, and a log line with the assignment so operators see who owns which partitions),
 * crashes (readiness false until the next join), and the lag per partition (a metric).
 */
import type { Consumer, Kafka } from 'kafkajs'
import type { Config } from '../codecs/config.js'
import type { ConsumerTuning } from './kafka-client.js'
import type { Logger } from './logger.js'
import type { Metrics } from './metrics.js'

export interface RequestConsumerDeps {
  readonly logger: Logger
  readonly metrics: Metrics
  readonly tuning?: ConsumerTuning
  /** true on every group join, false on a crash */
  readonly onMembership: (joined: boolean) => void
}

export const createRequestConsumer = (kafka: Kafka, config: Config['kafka'], deps: RequestConsumerDeps): Consumer => {
  const { logger, metrics } = deps
  const consumer = kafka.consumer({ groupId: config.groupId, allowAutoTopicCreation: true, ...config.consumer, ...deps.tuning })
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    deps.onMembership(true)
    logger.info({ memberId: payload.memberId, leaderId: payload.leaderId, assignment: payload.memberAssignment }, 'joined consumer group')
  })
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    metrics.consumerLag.set({ topic: payload.topic, partition: String(payload.partition) }, Number(payload.offsetLag))
  })
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    deps.onMembership(false)
    logger.error({ err: payload.error.message, restart: payload.restart }, 'kafka consumer crashed')
  })
  return consumer
}
