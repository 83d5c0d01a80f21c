/**
 * librdkafka's mock cluster, started through kcat: a real Kafka-wire-protocol broker on loopback
 * for integration tests and the local stack (no Apache Kafka can be installed on these machines).
 *
 * Protocol quirks worth knowing (checked against kafkajs 2.2.4):
 * - kcat only keeps the mock cluster alive while it is producing, and it stops at EOF on stdin,
 *   so we hold its stdin pipe open and never write to it. Ending the pipe (or our death) ends it.
 * - The mock picks random ports; the only way to learn them is the line librdkafka logs on
 *   stderr: `Mock cluster enabled: ... replaced with 127.0.0.1:PORT[,127.0.0.1:PORT...]`.
 * - Topics are auto-created on first use with 4 partitions; admin createTopics does NOT work.
 */
// kafkajs clients made here too: no TimeoutNegativeWarning on Node 24 (kafkajs #1751)
import '../src/streams/kafka/kafkajs-negative-timeout.js'
import { Kafka, logLevel } from 'kafkajs'
import { describeExit, sleep, spawnOwned } from './process-utils.js'

export interface KafkaMockOptions {
  /** brokers in the mock cluster; 1 by default */
  brokers?: number
  /** how long to wait for the cluster to answer kafkajs metadata requests; 15 s by default */
  startTimeoutMs?: number
}

export interface KafkaMockHandle {
  /** comma-separated bootstrap list, `127.0.0.1:PORT` for a single broker */
  readonly bootstrap: string
  /** the same list split, as kafkajs wants it */
  readonly brokers: readonly string[]
  stop(): Promise<void>
  /** pid of kcat; undefined once stopped */
  readonly pid: number | undefined
}

const BOOTSTRAP_LINE = /replaced with (\S+)/

/** Resolves once kafkajs can list topics through `brokers`; rejects with the last error otherwise. */
const waitForMetadata = async (brokers: readonly string[], deadline: number): Promise<void> => {
  const kafka = new Kafka({
    clientId: 'kafka-mock-probe',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 0 },
  })
  let last: unknown
  while (Date.now() < deadline) {
    const admin = kafka.admin()
    try {
      await admin.connect()
      await admin.listTopics()
      return
    } catch (error) {
      last = error
      await sleep(100)
    } finally {
      await admin.disconnect().catch(() => undefined)
    }
  }
  throw new Error(`listTopics failed: ${last instanceof Error ? last.message : String(last)}`)
}

export const startKafkaMock = async (options: KafkaMockOptions = {}): Promise<KafkaMockHandle> => {
  const brokerCount = options.brokers ?? 1
  const timeoutMs = options.startTimeoutMs ?? 15_000
  const deadline = Date.now() + timeoutMs
  const args = ['-P', '-q', '-X', `test.mock.num.brokers=${brokerCount}`, '-b', '127.0.0.1:1', '-t', '__keepalive']
  const kcat = spawnOwned('kcat', args, { stdin: 'pipe' })
  const fail = async (why: string): Promise<never> => {
    await kcat.stop('SIGKILL')
    throw new Error(`kafka mock (kcat ${args.join(' ')}) ${why}:\n${kcat.log.text()}`)
  }

  let bootstrap: string | undefined
  while (bootstrap === undefined) {
    bootstrap = BOOTSTRAP_LINE.exec(kcat.log.text())?.[1]
    if (bootstrap !== undefined) break
    if (kcat.hasExited()) return fail(`exited (${describeExit(await kcat.exited)}) before printing its bootstrap address`)
    if (Date.now() > deadline) return fail(`printed no bootstrap address within ${timeoutMs} ms`)
    await sleep(20)
  }
  const brokers = bootstrap.split(',')
  try {
    await waitForMetadata(brokers, deadline)
  } catch (error) {
    return fail(`did not answer within ${timeoutMs} ms: ${error instanceof Error ? error.message : String(error)}`)
  }

  let stopped = false
  return {
    bootstrap,
    brokers,
    get pid() {
      return stopped ? undefined : kcat.pid
    },
    stop: async () => {
      stopped = true
      // kcat sits out a SIGTERM (it was killed at the 3 s grace every time), and the mock holds
      // nothing that needs a clean exit: each spec file's harness stops faster by those 3 s
      await kcat.stop('SIGKILL')
    },
  }
}
