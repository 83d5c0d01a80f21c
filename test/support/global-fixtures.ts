/**
 * Mocha global fixtures (loaded through `.mocharc.json` "require"): ONE real redis-server and ONE
 * librdkafka mock Kafka cluster for the whole run, shared by every spec file. Starting them per
 * file would cost seconds each; specs isolate by key prefix (redis-helpers) and by unique topic
 * names and group ids (kafka-helpers) instead.
 *
 * Addresses travel in `TEST_REDIS_URL` and `TEST_KAFKA_BROKERS` (comma-separated). When one is
 * already set (e.g. pointing at the local stack) that server is reused and not started here.
 * Specs that kill or restart Redis start their own instance with `startRedisServer`.
 * The Redis Cluster and the real Prometheus servers are started only when a spec asks for them
 * (redis-cluster-fixture.ts, prometheus-fixture.ts).
 */
// kafkajs clients made here too: no TimeoutNegativeWarning on Node 24 (kafkajs #1751)
import '../../src/streams/kafka/kafkajs-negative-timeout.js'
import { startKafkaMock, type KafkaMockHandle } from '../../dev/kafka-mock.js'
import { startRedisServer, type RedisServerHandle } from '../../dev/redis-server.js'
import { stopSharedPrometheusLab } from './prometheus-fixture.js'
import { stopSharedRedisCluster } from './redis-cluster-fixture.js'

let redis: RedisServerHandle | undefined
let kafka: KafkaMockHandle | undefined

export const mochaGlobalSetup = async (): Promise<void> => {
  const [redisStarted, kafkaStarted] = await Promise.allSettled([
    process.env['TEST_REDIS_URL'] === undefined ? startRedisServer() : Promise.resolve(undefined),
    process.env['TEST_KAFKA_BROKERS'] === undefined ? startKafkaMock() : Promise.resolve(undefined),
  ])
  if (redisStarted.status === 'fulfilled') redis = redisStarted.value
  if (kafkaStarted.status === 'fulfilled') kafka = kafkaStarted.value
  if (redisStarted.status === 'rejected' || kafkaStarted.status === 'rejected') {
    await mochaGlobalTeardown()
    const reasons = [redisStarted, kafkaStarted].flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []))
    throw new Error(`global test fixtures failed to start:\n${reasons.join('\n')}`)
  }
  if (redis !== undefined) process.env['TEST_REDIS_URL'] = redis.url
  if (kafka !== undefined) process.env['TEST_KAFKA_BROKERS'] = kafka.bootstrap
}

export const mochaGlobalTeardown = async (): Promise<void> => {
  const servers = [redis, kafka].flatMap((server) => (server === undefined ? [] : [server]))
  redis = undefined
  kafka = undefined
  await Promise.all([...servers.map((server) => server.stop()), stopSharedRedisCluster(), stopSharedPrometheusLab()])
}
