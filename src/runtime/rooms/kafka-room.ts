/**
 * The Kafka room: the consumer of the request topics and the producer of results and dead
 * letters. `publish` sends one result (group-committed with the other lanes' results);
 * `sendRecords` sends the inbox's batch of dead letters and early answers.
 */
import type { Observable } from 'rxjs'
import type { Config } from '../../config/config.js'
import { RequestTopics } from '../../codecs/topics.js'
import type { OutgoingRecord } from '../../codecs/events.js'
import { createBatchingSender } from '../../operators/batching-sender.js'
import { createKafka, type ConsumerTuning } from '../../streams/kafka/kafka-client.js'
import { createRecordSender, type ResultProducer } from '../../streams/kafka/kafka-publisher.js'
import { kafkaBatches$, type IncomingBatch } from '../../streams/kafka/kafka-source.js'
import { createRequestConsumer, createResultProducer } from '../../streams/kafka/request-consumer.js'
import type { Logger } from '../../support/logger.js'
import { logTraceFields } from '../../support/tracing/trace-context.js'
import type { Metrics } from '../metrics.js'

export interface KafkaRoomOptions {
  readonly logger: Logger
  readonly metrics: Metrics
  readonly now: () => Date
  readonly consumerTuning?: ConsumerTuning
  /** tests: put a broker-like limit (or a fault) in front of the result producer */
  readonly wrapProducer?: (producer: ResultProducer) => ResultProducer
}

export interface KafkaRoom {
  /** connect both clients and subscribe to the request topics */
  connect(): Promise<void>
  /** the request batches, the consumer restarted after a crash kafkajs gave up on (until `stopFetching`) */
  readonly batches$: Observable<IncomingBatch>
  readonly sendRecords: ReturnType<typeof createRecordSender>
  publish(record: OutgoingRecord): Promise<void>
  /** Readiness: a member of the consumer group */
  ready(): Promise<string>
  /** told at once when the consumer joins or leaves the group (readiness shows it before its next check) */
  watchMembership(listener: (member: boolean, reason: string) => void): void
  /** stop fetching: kafkajs waits for the batch in hand (it is recorded, then committed) */
  stopFetching(): Promise<void>
  close(): Promise<void>
}

const memberReason = (member: boolean): string => (member ? 'member of the consumer group' : 'not a member of the consumer group')

export const openKafkaRoom = (config: Pick<Config, 'kafka' | 'service'>, options: KafkaRoomOptions): KafkaRoom => {
  const { logger, metrics } = options
  const kafka = createKafka(config.kafka, logger)
  const created = createResultProducer(kafka)
  const producer = options.wrapProducer?.(created) ?? created
  let member = false
  const listeners: Array<(member: boolean, reason: string) => void> = []
  const consumer = createRequestConsumer(kafka, config.kafka, {
    logger,
    onLag: (topic, partition, lag) => metrics.consumerLag.set({ topic, partition: String(partition) }, lag),
    ...(options.consumerTuning ? { tuning: options.consumerTuning } : {}),
    onMembership: (joined) => {
      member = joined
      for (const listener of listeners) listener(joined, memberReason(joined))
    },
  })
  const sendRecords = createRecordSender(producer, {
    maxRecordBytes: config.kafka.maxRecordBytes,
    deadLetterTopic: config.service.deadLetterTopic,
    now: options.now,
    onUnsendable: (record, reason) => {
      metrics.deadLetters.inc()
      logger.error(
        { topic: record.topic, key: record.key.slice(0, 200), bytes: record.value.length, reason, ...logTraceFields(record.trace) },
        'record could not be sent; dead-lettered in its place',
      )
    },
  })
  const results = createBatchingSender(sendRecords)
  let stopping = false
  const batches$ = kafkaBatches$(consumer, {
    canRestart: () => !stopping,
    onCrash: (error, restart, delayMs) => {
      metrics.consumerRestarts.inc()
      logger.warn({ err: error.message, restart: restart + 1, delayMs }, 'restarting the kafka consumer kafkajs gave up on')
    },
  })
  return {
    connect: async () => {
      await producer.connect()
      await consumer.connect()
      await consumer.subscribe({ topics: Object.values(RequestTopics), fromBeginning: true })
    },
    batches$,
    sendRecords,
    publish: (record) => results.send(record),
    ready: () => (member ? Promise.resolve(memberReason(true)) : Promise.reject(new Error(memberReason(false)))),
    watchMembership: (listener) => {
      listeners.push(listener)
    },
    stopFetching: async () => {
      stopping = true
      await consumer.disconnect().catch(() => undefined)
    },
    close: async () => {
      results.close()
      await producer.disconnect().catch(() => undefined)
    },
  }
}
