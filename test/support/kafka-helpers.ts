/**
 * Kafka for specs: kafkajs clients on the global fixture's mock cluster, plus helpers to publish
 * and to collect what a test (or the service under test) wrote.
 *
 * "From now" is implemented without trusting join timing: kafkajs resolves a new group's
 * `latest` offsets only AFTER it emits GROUP_JOIN, so anything published in between would be
 * lost. Instead we snapshot each partition's end offset first, consume from the beginning and
 * drop what lies before the snapshot. Nothing published after the snapshot can be missed.
 */
import { randomUUID } from 'node:crypto'
import { Kafka, Partitioners, logLevel, type Consumer, type IHeaders, type KafkaMessage } from 'kafkajs'

/** Test-only consumer timings: join ~3 s, rebalance ~2 s, disconnect ~0.1 s against the mock. */
export const FAST_CONSUMER_SETTINGS = { sessionTimeout: 3000, heartbeatInterval: 300, maxWaitTimeInMs: 200, rebalanceTimeout: 3000 }

export interface CollectedMessage {
  readonly topic: string
  readonly partition: number
  readonly offset: string
  readonly key: string | null
  readonly value: Buffer | null
  readonly headers: Record<string, string>
  /** the record's CreateTime (ms since epoch, as text): when the producer sent it */
  readonly timestamp: string
}

/** Brokers of the shared mock cluster; fails loudly when the global fixture did not run. */
export const testKafkaBrokers = (): string[] => {
  const brokers = process.env['TEST_KAFKA_BROKERS']
  if (brokers === undefined || brokers === '') {
    throw new Error('TEST_KAFKA_BROKERS is not set: run specs through mocha so test/support/global-fixtures.ts starts Kafka')
  }
  return brokers.split(',')
}

export const testKafka = (): Kafka => new Kafka({ clientId: `test-${uniqueTopicSuffix()}`, brokers: testKafkaBrokers(), logLevel: logLevel.NOTHING })

/** Random lowercase suffix (no separator) for topic names and group ids: `orders-${suffix}`. */
export const uniqueTopicSuffix = (): string => randomUUID().replace(/-/g, '').slice(0, 12)

const headersToStrings = (headers: IHeaders | undefined): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue
    out[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString()
  }
  return out
}

const toCollected = (topic: string, partition: number, message: KafkaMessage): CollectedMessage => ({
  topic,
  partition,
  offset: message.offset,
  key: message.key === null ? null : message.key.toString(),
  value: message.value,
  headers: headersToStrings(message.headers),
  timestamp: message.timestamp,
})

export const publish = async (topic: string, messages: Array<{ key?: string; value: string | Buffer; headers?: IHeaders }>): Promise<void> => {
  const producer = testKafka().producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  try {
    await producer.send({ topic, messages })
  } finally {
    await producer.disconnect()
  }
}

/** End offset of every partition of `topics` right now; a topic that does not exist yet starts at 0. */
export const endOffsets = async (kafka: Kafka, topics: readonly string[]): Promise<Map<string, bigint>> => {
  const ends = new Map<string, bigint>()
  const admin = kafka.admin()
  await admin.connect()
  try {
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic).catch(() => [])
      for (const { partition, high } of offsets) ends.set(`${topic}/${partition}`, BigInt(high))
    }
  } finally {
    await admin.disconnect()
  }
  return ends
}

interface Subscription {
  readonly consumer: Consumer
  /** resolves on the first GROUP_JOIN, rejects if the consumer crashes or the join times out */
  readonly joined: Promise<void>
}

/** Resolves when the consumer joins its group; rejects after `timeoutMs` or when it crashes. Never unhandled: the caller observes it later. */
export const groupJoined = (consumer: Consumer, what: string, timeoutMs: number): Promise<void> => {
  const joined = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not join its group within ${timeoutMs} ms`)), timeoutMs)
    consumer.on(consumer.events.GROUP_JOIN, () => {
      clearTimeout(timer)
      resolve()
    })
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      clearTimeout(timer)
      reject(payload.error)
    })
  })
  joined.catch(() => undefined)
  return joined
}

const subscribe = async (
  topics: readonly string[],
  fromBeginning: boolean,
  onMessage: (message: CollectedMessage) => void,
  joinTimeoutMs = 20_000,
): Promise<Subscription> => {
  const kafka = testKafka()
  const start = fromBeginning ? new Map<string, bigint>() : await endOffsets(kafka, topics)
  const consumer = kafka.consumer({ groupId: `test-collector-${uniqueTopicSuffix()}`, ...FAST_CONSUMER_SETTINGS })
  const joined = groupJoined(consumer, `consumer of ${topics.join(', ')}`, joinTimeoutMs)
  await consumer.connect()
  await consumer.subscribe({ topics: [...topics], fromBeginning: true })
  await consumer.run({
    eachMessage: ({ topic, partition, message }) => {
      if (BigInt(message.offset) >= (start.get(`${topic}/${partition}`) ?? 0n)) onMessage(toCollected(topic, partition, message))
      return Promise.resolve()
    },
  })
  return { consumer, joined }
}

/** Subscribes from the beginning (or from now) and collects until `count` matching messages arrived. */
export const collect = async (
  topic: string,
  opts: { count: number; timeoutMs?: number; fromBeginning?: boolean; filter?: (m: { key: string | null; value: Buffer | null }) => boolean },
): Promise<CollectedMessage[]> => {
  const timeoutMs = opts.timeoutMs ?? 15_000
  const got: CollectedMessage[] = []
  let done: () => void = () => undefined
  const enough = new Promise<void>((resolve) => (done = resolve))
  const { consumer } = await subscribe([topic], opts.fromBeginning ?? true, (message) => {
    if (got.length < opts.count && (opts.filter?.(message) ?? true)) got.push(message)
    if (got.length >= opts.count) done()
  })
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`collect(${topic}): ${got.length} of ${opts.count} messages within ${timeoutMs} ms`)), timeoutMs)
  })
  try {
    await Promise.race([enough, timeout])
    return got.slice(0, opts.count)
  } finally {
    clearTimeout(timer)
    await consumer.disconnect()
  }
}

export interface ResultCollector {
  /** everything received so far, in arrival order */
  readonly messages: readonly CollectedMessage[]
  /** the first message (already received or still to come) matching `predicate` */
  waitFor(predicate: (m: CollectedMessage) => boolean, timeoutMs?: number): Promise<CollectedMessage>
  /** resolves once `count` messages matching `predicate` have arrived (the first `count` of them) */
  waitForCount(count: number, predicate?: (m: CollectedMessage) => boolean, timeoutMs?: number): Promise<CollectedMessage[]>
  stop(): Promise<void>
}

/**
 * Starts consuming `topics` from now and resolves only after the consumer joined its group, so a
 * test can publish right away and then `waitFor` the service's answers. Call `stop()` in a hook.
 */
export const resultCollector = async (topics: string | readonly string[], opts: { joinTimeoutMs?: number } = {}): Promise<ResultCollector> => {
  const list = typeof topics === 'string' ? [topics] : topics
  const messages: CollectedMessage[] = []
  const waiters = new Set<() => void>()
  const { consumer, joined } = await subscribe(
    list,
    false,
    (message) => {
      messages.push(message)
      for (const wake of [...waiters]) wake()
    },
    opts.joinTimeoutMs,
  )
  try {
    await joined
  } catch (error) {
    await consumer.disconnect()
    throw error
  }
  const waitForCount = (count: number, predicate: (m: CollectedMessage) => boolean = () => true, timeoutMs = 15_000): Promise<CollectedMessage[]> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const matching = messages.filter(predicate)
        if (matching.length < count) return
        clearTimeout(timer)
        waiters.delete(check)
        resolve(matching.slice(0, count))
      }
      const timer = setTimeout(() => {
        waiters.delete(check)
        const seen = messages.slice(-20).map((m) => `${m.topic}/${m.partition}@${m.offset} ${m.key ?? ''} ${m.value?.toString().slice(0, 120) ?? ''}`)
        reject(
          new Error(
            `resultCollector(${list.join(', ')}): ${messages.filter(predicate).length} of ${count} matching messages within ${timeoutMs} ms; last seen:\n${seen.join('\n')}`,
          ),
        )
      }, timeoutMs)
      waiters.add(check)
      check()
    })
  return {
    messages,
    waitForCount,
    waitFor: async (predicate, timeoutMs) => {
      const [first] = await waitForCount(1, predicate, timeoutMs)
      if (first === undefined) throw new Error('unreachable: waitForCount(1) resolved empty')
      return first
    },
    stop: () => consumer.disconnect(),
  }
}
