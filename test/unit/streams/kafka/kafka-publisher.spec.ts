import { expect } from 'chai'
import { KafkaJSConnectionError, type Producer, type ProducerBatch } from 'kafkajs'
import type { ResultRecord } from '../../../../src/codecs/events.js'
import { createRecordSender, isPermanentSendError } from '../../../../src/streams/kafka/kafka-publisher.js'
import { limitedProducer } from '../../../support/limited-producer.js'

const DLQ = 'telemetry-dead-letter'
const record = (key: string, bytes = 100): ResultRecord => ({
  topic: 'sonata-service-dashboard-result',
  key,
  value: JSON.stringify({ k: key, pad: 'x'.repeat(bytes) }),
})

/** A producer that only records what it was given (the broker accepts everything). */
const recordingProducer = () => {
  const written: Array<{ topic: string; key: string; value: string }> = []
  let calls = 0
  const producer = {
    sendBatch: (batch: ProducerBatch) => {
      calls += 1
      for (const t of batch.topicMessages ?? []) for (const m of t.messages) written.push({ topic: t.topic, key: String(m.key), value: String(m.value) })
      return Promise.resolve([])
    },
  } as unknown as Producer
  return { producer, written, calls: () => calls }
}

const options = (maxRecordBytes: number, unsendable: string[] = []) => ({
  maxRecordBytes,
  deadLetterTopic: DLQ,
  now: () => new Date('2026-11-30T00:00:00Z'),
  onUnsendable: (r: ResultRecord) => unsendable.push(r.key),
})

describe('streams/kafka/kafka-publisher', () => {
  it('given a record over KAFKA_MAX_RECORD_BYTES, then it is never sent: a bounded dead letter goes in its place, the others out in the same batch', async () => {
    const { producer, written, calls } = recordingProducer()
    const unsendable: string[] = []
    const send = createRecordSender(limitedProducer(producer, 10_000), options(10_000, unsendable))
    expect(await send([record('a'), record('big', 50_000), record('c')])).to.deep.equal([undefined, undefined, undefined])
    expect(calls()).to.equal(1)
    expect(written.map((w) => [w.topic, w.key])).to.deep.equal([
      ['sonata-service-dashboard-result', 'a'],
      ['sonata-service-dashboard-result', 'c'],
      [DLQ, 'big'],
    ])
    const letter = JSON.parse(written[2]?.value ?? '{}') as Record<string, unknown>
    expect(letter).to.include({ topic: 'sonata-service-dashboard-result', valueTruncated: true })
    expect(written[2]?.value.length).to.be.below(10_000)
    expect(unsendable).to.deep.equal(['big'])
  })

  it('given a broker with a lower limit than configured, when it refuses the batch (MESSAGE_TOO_LARGE), then one at a time: the bad record dead-lettered, every other record out exactly once', async () => {
    const { producer, written } = recordingProducer()
    const broker = limitedProducer(producer, 20_000)
    const send = createRecordSender(broker, options(1_000_000))
    expect(await send([record('a'), record('big', 30_000), record('c')])).to.deep.equal([undefined, undefined, undefined])
    expect(written.map((w) => [w.topic, w.key])).to.deep.equal([
      ['sonata-service-dashboard-result', 'a'],
      [DLQ, 'big'],
      ['sonata-service-dashboard-result', 'c'],
    ])
    expect(broker.refusals()).to.equal(2) // the batch, then the record alone
  })

  it('given a retryable failure (broker unreachable), then it is thrown for the caller to retry', async () => {
    const producer = { sendBatch: () => Promise.reject(new KafkaJSConnectionError('Connection error: ECONNREFUSED')) } as unknown as Producer
    let thrown: unknown
    await createRecordSender(producer, options(1_000_000))([record('a')]).catch((e: unknown) => (thrown = e))
    expect(thrown).to.be.instanceOf(KafkaJSConnectionError)
  })

  it('recognises the permanent refusals through kafkajs wrapping, and nothing else', () => {
    expect(isPermanentSendError({ name: 'KafkaJSNonRetriableError', cause: { name: 'KafkaJSProtocolError', type: 'INVALID_RECORD', retriable: false } })).to.be
      .true
    expect(isPermanentSendError({ name: 'KafkaJSProtocolError', type: 'UNKNOWN_SERVER_ERROR', retriable: false })).to.be.true
    expect(isPermanentSendError({ name: 'KafkaJSProtocolError', type: 'NOT_LEADER_FOR_PARTITION', retriable: true })).to.be.false
    expect(isPermanentSendError(new KafkaJSConnectionError('x'))).to.be.false
  })
})
