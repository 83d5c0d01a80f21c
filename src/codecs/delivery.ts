/**
 * One Kafka record as the service receives it: where it came from and its raw bytes. The codecs
 * turn its value into a request; the dead-letter effect copies its coordinates.
 */
export interface Delivery {
  readonly topic: string
  readonly partition: number
  readonly offset: string
  readonly key: string | null
  readonly value: Buffer | null
  /** the record's timestamp (ms since epoch, as kafkajs gives it): the producer's publish time */
  readonly timestamp?: string
}
