/**
 * A producer that enforces `message.max.bytes` the way a Kafka broker does, for tests: the
 * librdkafka mock broker may not. One message over the limit makes the broker refuse the whole
 * produce request for its partition with MESSAGE_TOO_LARGE (non-retriable); kafkajs then rejects
 * the send with a KafkaJSNonRetriableError whose cause is the KafkaJSProtocolError. Partitioning is
 * not modelled: the whole sendBatch is refused and nothing of it is written (the strictest case
 * for the sender, which must then find the bad record itself).
 */
import { KafkaJSNonRetriableError, KafkaJSProtocolError, type Producer, type ProducerBatch, type ProducerRecord } from 'kafkajs'

const tooLarge = (): Error => {
  const protocol = new KafkaJSProtocolError({
    type: 'MESSAGE_TOO_LARGE',
    code: 10,
    retriable: false,
    message: 'The request included a message larger than the max message size the server will accept',
  } as unknown as Error)
  const Wrapped = KafkaJSNonRetriableError as unknown as new (e: Error, options: { cause: Error }) => Error
  return new Wrapped(protocol, { cause: protocol })
}

const bytesOf = (m: { key?: Buffer | string | null; value: Buffer | string | null }): number =>
  (m.value === null ? 0 : Buffer.byteLength(m.value)) + (m.key === null || m.key === undefined ? 0 : Buffer.byteLength(m.key))

/** Wraps send and sendBatch; everything else is the real producer's. `refusals` counts refused requests. */
export const limitedProducer = (producer: Producer, maxMessageBytes: number): Producer & { readonly refusals: () => number } => {
  let refusals = 0
  const check = (topicMessages: ReadonlyArray<{ messages: ProducerRecord['messages'] }>): void => {
    if (topicMessages.some((t) => t.messages.some((m) => bytesOf(m) > maxMessageBytes))) {
      refusals += 1
      throw tooLarge()
    }
  }
  return Object.assign(Object.create(producer) as Producer, {
    send: (record: ProducerRecord) => {
      check([record])
      return producer.send(record)
    },
    sendBatch: (batch: ProducerBatch) => {
      check(batch.topicMessages ?? [])
      return producer.sendBatch(batch)
    },
    refusals: () => refusals,
  })
}
