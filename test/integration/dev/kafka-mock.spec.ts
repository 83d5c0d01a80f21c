import { expect } from 'chai'
import { Kafka, logLevel } from 'kafkajs'
import { startKafkaMock } from '../../../dev/kafka-mock.js'
import { FAST_CONSUMER_SETTINGS, collect, publish, resultCollector, testKafka, testKafkaBrokers, uniqueTopicSuffix } from '../../support/kafka-helpers.js'

describe('kafka mock (shared cluster from the global fixture)', () => {
  it('produces and consumes one message through kafkajs with the fast settings', async () => {
    const topic = `roundtrip-${uniqueTopicSuffix()}`
    const kafka = testKafka()
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({ topic, messages: [{ key: 'svc-1', value: 'hello', headers: { ce_type: 'test' } }] })
    await producer.disconnect()

    const consumer = kafka.consumer({ groupId: `g-${uniqueTopicSuffix()}`, ...FAST_CONSUMER_SETTINGS })
    await consumer.connect()
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    const received = await new Promise<{ key: string | undefined; value: string | undefined; type: string | undefined }>((resolve) => {
      void consumer.run({
        eachMessage: ({ message }) => {
          resolve({ key: message.key?.toString(), value: message.value?.toString(), type: message.headers?.['ce_type']?.toString() })
          return Promise.resolve()
        },
      })
    })
    await consumer.disconnect()
    expect(received).to.deep.equal({ key: 'svc-1', value: 'hello', type: 'test' })
  })

  it('collect() reads from the beginning, applies the filter and stops at count', async () => {
    const topic = `collect-${uniqueTopicSuffix()}`
    await publish(topic, [
      { key: 'a', value: 'one' },
      { key: 'b', value: 'two' },
      { key: 'a', value: 'three' },
    ])
    const got = await collect(topic, { count: 2, filter: (m) => m.key === 'a', timeoutMs: 15_000 })
    expect(got.map((m) => m.value?.toString()).sort()).to.deep.equal(['one', 'three'])
    expect(got.every((m) => m.topic === topic && m.key === 'a')).to.equal(true)
  })

  it('collect() times out with a clear error', async () => {
    const topic = `empty-${uniqueTopicSuffix()}`
    const error = await collect(topic, { count: 1, timeoutMs: 500 }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(String(error)).to.match(/collect\(empty-\w+\): 0 of 1 messages within 500 ms/)
  })

  describe('resultCollector', () => {
    const topic = `results-${uniqueTopicSuffix()}`
    let collector: Awaited<ReturnType<typeof resultCollector>>

    before(async () => {
      await publish(topic, [{ key: 'old', value: 'published before the collector started' }])
      collector = await resultCollector(topic)
    })
    after(() => collector.stop())

    it('sees messages published right after it returns, and not older ones', async () => {
      await publish(topic, [
        { key: 'r1', value: 'first', headers: { ce_id: '1' } },
        { key: 'r2', value: 'second' },
      ])
      const first = await collector.waitFor((m) => m.key === 'r1', 15_000)
      expect(first.value?.toString()).to.equal('first')
      expect(first.headers).to.deep.equal({ ce_id: '1' })
      const both = await collector.waitForCount(2, () => true, 15_000)
      expect(both.map((m) => m.key).sort()).to.deep.equal(['r1', 'r2'])
      expect(collector.messages.some((m) => m.key === 'old')).to.equal(false)
    })

    it('waitFor() finds a message that already arrived', async () => {
      const again = await collector.waitFor((m) => m.key === 'r2', 100)
      expect(again.value?.toString()).to.equal('second')
    })

    it('waitFor() rejects on timeout', async () => {
      const error = await collector
        .waitFor((m) => m.key === 'never', 200)
        .then(
          () => undefined,
          (e: unknown) => e,
        )
      expect(String(error)).to.match(/0 of 1 matching messages within 200 ms/)
    })
  })
})

describe('startKafkaMock (own cluster)', () => {
  it('gives a distinct bootstrap and stops cleanly', async () => {
    const mock = await startKafkaMock({ brokers: 2 })
    try {
      expect(mock.brokers).to.have.length(2)
      expect(mock.bootstrap).to.match(/^127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$/)
      expect(mock.brokers).to.not.include.members(testKafkaBrokers())
      expect(mock.pid).to.be.a('number')
    } finally {
      await mock.stop()
    }
    expect(mock.pid).to.equal(undefined)
    const [first] = mock.brokers
    const admin = new Kafka({ brokers: [first ?? ''], logLevel: logLevel.NOTHING, connectionTimeout: 300, retry: { retries: 0 } }).admin()
    const error = await admin.connect().then(
      () => undefined,
      (e: unknown) => e,
    )
    await admin.disconnect()
    expect(error).to.be.instanceOf(Error)
  })
})
