/**
 * The consumer of the three request topics, with what the service watches on it: group joins
 * (readiness, and a log line with the assignment so operators see who owns which partitions),
 * crashes (readiness false until the next join), and the lag per partition (a metric).
 */
import { Partitioners, type Consumer, type Kafka, type Producer } from 'kafkajs'
import type { Config } from '../../config/config.js'
import type { ConsumerTuning } from './kafka-client.js'
import type { Logger } from '../../support/logger.js'

export interface RequestConsumerDeps {
  readonly logger: Logger
  /** the consumer's lag on one partition after each batch */
  readonly onLag: (topic: string, partition: number, lag: number) => void
  readonly tuning?: ConsumerTuning
  /** true on every group join, false on a crash */
  readonly onMembership: (joined: boolean) => void
}

export const createRequestConsumer = (kafka: Kafka, config: Config['kafka'], deps: RequestConsumerDeps): Consumer => {
  const { logger } = deps
  const consumer = kafka.consumer({ groupId: config.groupId, allowAutoTopicCreation: true, ...config.consumer, ...deps.tuning })
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    deps.onMembership(true)
    logger.info({ memberId: payload.memberId, leaderId: payload.leaderId, assignment: payload.memberAssignment }, 'joined consumer group')
  })
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    deps.onLag(payload.topic, payload.partition, Number(payload.offsetLag))
  })
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    deps.onMembership(false)
    logger.error({ err: payload.error.message, restart: payload.restart }, 'kafka consumer crashed')
  })
  return consumer
}

/** The producer of results and dead letters (topics are created on first use, as the broker allows). */
export const createResultProducer = (kafka: Kafka): Producer =>
  kafka.producer({ allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner })
