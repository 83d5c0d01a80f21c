/**
 * What the whole bench shares: one real redis-server, one Kafka mock broker, one producer (the
 * SONATA side) and one result collector, started once and stopped at the end. Each benchmark run
 * starts its own simulators and its own service (or baseline) on top, so runs never share state.
 */
import type { Producer } from 'kafkajs'
import { Partitioners } from 'kafkajs'
import type { Kafka } from 'kafkajs'
import { startKafkaMock, type KafkaMockHandle } from '../dev/kafka-mock.js'
import { startRedisServer, type RedisServerHandle } from '../dev/redis-server.js'
import { startCollector, type Collector } from './collector.js'
import { benchKafka } from './kafka-bench.js'

export interface BenchInfra {
  readonly redisUrl: string
  readonly brokers: readonly string[]
  readonly kafka: Kafka
  readonly producer: Producer
  readonly collector: Collector
  stop(): Promise<void>
}

export const startBenchInfra = async (): Promise<BenchInfra> => {
  let redis: RedisServerHandle | undefined
  let mock: KafkaMockHandle | undefined
  let producer: Producer | undefined
  let collector: Collector | undefined
  const stop = async (): Promise<void> => {
    await collector?.stop().catch(() => undefined)
    await producer?.disconnect().catch(() => undefined)
    await Promise.all([redis?.stop(), mock?.stop()])
  }
  try {
    ;[redis, mock] = await Promise.all([startRedisServer(), startKafkaMock()])
    const kafka = benchKafka(mock.brokers)
    producer = kafka.producer({ allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner })
    await producer.connect()
    collector = await startCollector(kafka)
    return { redisUrl: redis.url, brokers: mock.brokers, kafka, producer, collector, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
