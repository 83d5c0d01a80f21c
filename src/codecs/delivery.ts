/**
 * One Kafka record as the service receives it: where it came from and its raw bytes. The codecs
 * turn its value (and, in CloudEvents binary mode, its headers) into a request; the dead-letter
 * effect copies its coordinates.
 */

/** Kafka record headers as kafkajs hands them over (a repeated header name arrives as an array). */
export type RecordHeaders = Readonly<Record<string, Buffer | string | ReadonlyArray<Buffer | string> | undefined>>

export interface Delivery {
  readonly topic: string
  readonly partition: number
  readonly offset: string
  readonly key: string | null
  readonly value: Buffer | null
  /** the record's timestamp (ms since epoch, as kafkajs gives it): the producer's publish time */
  readonly timestamp?: string
  /** the record's headers; `ce_*` ones carry the CloudEvent attributes in binary mode */
  readonly headers?: RecordHeaders
}
