/**
 * The doctor's Kafka checks, read-only: one metadata request for every topic (the admin client
 * never auto-creates topics, and asking for all topics names none, so nothing is created), then
 * each request and result topic present with its partition count.
 */
// before any kafkajs client exists: no TimeoutNegativeWarning on Node 24 (see the module)
import './kafkajs-negative-timeout.js'
import { Kafka, logLevel } from 'kafkajs'
import { RequestTopics, ResultTopics } from '../../codecs/topics.js'
import type { Config } from '../../config/config.js'
import { saslOf } from './kafka-client.js'
import { checkFail, checkOk, checkWarning, errorMessage, type DoctorCheck } from '../../support/doctor-check.js'

const CONNECT_TIMEOUT_MS = 3000

/** The service's own Kafka settings (brokers, TLS, SASL), without its retries: a doctor answers fast. */
const kafkaFor = (config: Config['kafka']): Kafka =>
  new Kafka({
    clientId: `${config.clientId}-doctor`,
    brokers: [...config.brokers],
    ssl: config.ssl,
    ...(config.sasl === undefined ? {} : { sasl: saslOf(config.sasl) }),
    connectionTimeout: CONNECT_TIMEOUT_MS,
    retry: { retries: 1 },
    logLevel: logLevel.NOTHING,
  })

export const topicChecks = (partitions: ReadonlyMap<string, number>): readonly DoctorCheck[] =>
  [...Object.values(RequestTopics), ...Object.values(ResultTopics)].map((topic) => {
    const count = partitions.get(topic)
    return count === undefined
      ? checkFail(`kafka.topic ${topic}`, 'absent', `create the topic (the service consumes or produces it and does not create it)`)
      : checkOk(`kafka.topic ${topic}`, `present, ${count} partition(s)`)
  })

/** Why the clock offset is a warning: no read-only Kafka API returns the broker's time. */
export const clockOffsetCheck: DoctorCheck = checkWarning(
  'kafka.clock-offset',
  'not measured: no read-only Kafka request returns the broker clock (record timestamps are set by producers), and doctor writes nothing',
  "keep the hosts NTP-synchronised; the service orders a service's requests by record timestamp",
)

export const probeKafka = async (config: Config['kafka']): Promise<readonly DoctorCheck[]> => {
  const admin = kafkaFor(config).admin()
  try {
    await admin.connect()
    const metadata = await admin.fetchTopicMetadata()
    const partitions = new Map(metadata.topics.map((t) => [t.name, t.partitions.length]))
    return [
      checkOk('kafka.reachable', `${config.brokers.join(',')} answered metadata (${partitions.size} topic(s))`),
      ...topicChecks(partitions),
      clockOffsetCheck,
    ]
  } catch (error) {
    return [
      checkFail(
        'kafka.reachable',
        `${config.brokers.join(',')}: ${errorMessage(error)}`,
        'check KAFKA_BROKERS, KAFKA_SSL, KAFKA_SASL_* and the network path to the brokers',
      ),
    ]
  } finally {
    await admin.disconnect().catch(() => undefined)
  }
}
