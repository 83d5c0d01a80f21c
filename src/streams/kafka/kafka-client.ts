// before any kafkajs client exists: no TimeoutNegativeWarning on Node 24 (see the module)
import './kafkajs-negative-timeout.js'
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs'
import type { Config } from '../../config/config.js'
import type { Logger } from '../../support/logger.js'

/** Consumer timings; the defaults suit production, tests shorten them (see real-parts notes). */
export interface ConsumerTuning {
  readonly sessionTimeout?: number
  readonly heartbeatInterval?: number
  readonly maxWaitTimeInMs?: number
  readonly rebalanceTimeout?: number
}

export const saslOf = (sasl: NonNullable<Config['kafka']['sasl']>): SASLOptions => {
  const { username, password } = sasl
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username, password }
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username, password }
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username, password }
  }
}

/** kafkajs logs go through pino (and never include SASL credentials: kafkajs does not log them). */
export const createKafka = (config: Config['kafka'], logger: Logger): Kafka => {
  const log = logger.child({ component: 'kafkajs' })
  const kafkaConfig: KafkaConfig = {
    clientId: config.clientId,
    brokers: [...config.brokers],
    ssl: config.ssl,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, namespace, log: entry }) => {
        const { message, ...extra } = { ...entry, namespace }
        if (level <= logLevel.ERROR) log.error(extra, message)
        else log.warn(extra, message)
      },
  }
  return new Kafka(config.sasl === undefined ? kafkaConfig : { ...kafkaConfig, sasl: saslOf(config.sasl) })
}
