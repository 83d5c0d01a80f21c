/**
 * kafkaBatches$ against a hand-written consumer double (only on/run/commitOffsets/events), so the
 * inbox hand-over and the restart-after-crash rules are checked one by one. The real consumer
 * against the real broker is exercised by every end-to-end spec.
 */
import { expect } from 'chai'
import sinon from 'sinon'
import type { Consumer, ConsumerRunConfig, EachBatchPayload } from 'kafkajs'
import { kafkaBatches$, type IncomingBatch } from '../../../../src/streams/kafka/kafka-source.js'

const EVENTS = { CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join' } as const

interface ConsumerDouble {
  readonly consumer: Consumer
  readonly runs: ConsumerRunConfig[]
  readonly commits: unknown[]
  crash(restart: boolean): void
  join(): void
  listeners(): number
  /** the next run() calls reject with this error */
  failRunsWith(error: Error | undefined): void
}

const consumerDouble = (): ConsumerDouble => {
  const listeners = new Map<string, Set<(event: { payload: unknown }) => void>>()
  const runs: ConsumerRunConfig[] = []
  const commits: unknown[] = []
  let runError: Error | undefined
  const emit = (name: string, payload: unknown) => listeners.get(name)?.forEach((l) => l({ payload }))
  const consumer = {
    events: EVENTS,
    on: (name: string, listener: (event: { payload: unknown }) => void) => {
      const set = listeners.get(name) ?? new Set()
      set.add(listener)
      listeners.set(name, set)
      return () => set.delete(listener)
    },
    run: (config: ConsumerRunConfig) => {
      runs.push(config)
      return runError === undefined ? Promise.resolve() : Promise.reject(runError)
    },
    commitOffsets: (offsets: unknown) => {
      commits.push(offsets)
      return Promise.resolve()
    },
  }
  return {
    consumer: consumer as unknown as Consumer,
    runs,
    commits,
    crash: (restart) => emit(EVENTS.CRASH, { error: new Error('INVALID_REQUEST'), groupId: 'g', restart }),
    join: () => emit(EVENTS.GROUP_JOIN, {}),
    listeners: () => [...listeners.values()].reduce((n, set) => n + set.size, 0),
    failRunsWith: (error) => (runError = error),
  }
}

const batchPayload = (offsets: readonly string[]): EachBatchPayload & { resolved: string[] } => {
  const resolved: string[] = []
  return {
    resolved,
    batch: {
      topic: 't',
      partition: 2,
      messages: offsets.map((offset) => ({ offset, key: Buffer.from('svc'), value: Buffer.from('{}'), timestamp: '1', attributes: 0, headers: {} })),
      lastOffset: () => offsets[offsets.length - 1] ?? '-1',
    },
    isRunning: () => true,
    isStale: () => false,
    heartbeat: () => Promise.resolve(),
    resolveOffset: (offset: string) => void resolved.push(offset),
  } as unknown as EachBatchPayload & { resolved: string[] }
}

describe('kafkaBatches$', () => {
  let clock: sinon.SinonFakeTimers
  beforeEach(() => (clock = sinon.useFakeTimers()))
  afterEach(() => clock.restore())

  describe('inbox hand-over', () => {
    it('given a batch, when downstream settles it, then its offset is resolved and the NEXT offset committed', async () => {
      const double = consumerDouble()
      const seen: IncomingBatch[] = []
      const sub = kafkaBatches$(double.consumer).subscribe((b) => seen.push(b))
      const payload = batchPayload(['7', '8'])
      const handled = double.runs[0]?.eachBatch?.(payload)
      expect(seen.map((b) => b.deliveries.map((d) => d.offset))).to.deep.equal([['7', '8']])
      expect(double.commits).to.deep.equal([])
      seen[0]?.settle()
      await handled
      expect(payload.resolved).to.deep.equal(['8'])
      expect(double.commits).to.deep.equal([[{ topic: 't', partition: 2, offset: '9' }]])
      sub.unsubscribe()
    })

    it('given a batch, when downstream settles it with an error, then nothing is committed and kafkajs gets the error', async () => {
      const double = consumerDouble()
      const seen: IncomingBatch[] = []
      const sub = kafkaBatches$(double.consumer).subscribe((b) => seen.push(b))
      const handled = double.runs[0]?.eachBatch?.(batchPayload(['1']))
      seen[0]?.settle(new Error('redis down'))
      let failure: unknown
      await handled?.catch((e: unknown) => (failure = e))
      expect((failure as Error).message).to.equal('redis down')
      expect(double.commits).to.deep.equal([])
      sub.unsubscribe()
    })
  })

  describe('restart after a crash kafkajs gives up on', () => {
    it('given restart:false, then the consumer is run again after the delay, and the delay grows per crash', async () => {
      const double = consumerDouble()
      const crashes: Array<[number, number]> = []
      const sub = kafkaBatches$(double.consumer, { onCrash: (_e, n, delayMs) => crashes.push([n, delayMs]) }).subscribe()
      double.crash(false)
      await clock.tickAsync(999)
      expect(double.runs).to.have.length(1)
      await clock.tickAsync(1)
      expect(double.runs).to.have.length(2)
      double.crash(false)
      await clock.tickAsync(2000)
      expect(double.runs).to.have.length(3)
      expect(crashes).to.deep.equal([
        [0, 1000],
        [1, 2000],
      ])
      sub.unsubscribe()
    })

    it('given a join after a restart, then the next crash starts the delays anew', async () => {
      const double = consumerDouble()
      const delays: number[] = []
      const sub = kafkaBatches$(double.consumer, { onCrash: (_e, _n, delayMs) => delays.push(delayMs) }).subscribe()
      double.crash(false)
      await clock.tickAsync(1000)
      double.join()
      double.crash(false)
      expect(delays).to.deep.equal([1000, 1000])
      sub.unsubscribe()
    })

    it('given restart:true, then kafkajs restarts itself and we do not run it a second time', async () => {
      const double = consumerDouble()
      const sub = kafkaBatches$(double.consumer).subscribe()
      double.crash(true)
      await clock.tickAsync(60_000)
      expect(double.runs).to.have.length(1)
      sub.unsubscribe()
    })

    it('given a restart that cannot start, then it counts as one more crash and is tried again later; the stream stays open', async () => {
      const double = consumerDouble()
      const delays: number[] = []
      let errored = false
      const sub = kafkaBatches$(double.consumer, { restartDelayMs: (n) => 10 * (n + 1), onCrash: (_e, _n, delayMs) => delays.push(delayMs) }).subscribe({
        error: () => (errored = true),
      })
      double.failRunsWith(new Error('connect ECONNREFUSED'))
      double.crash(false)
      await clock.tickAsync(10)
      await clock.tickAsync(20)
      double.failRunsWith(undefined)
      await clock.tickAsync(30)
      expect(double.runs).to.have.length(4)
      expect(delays).to.deep.equal([10, 20, 30])
      expect(errored).to.equal(false)
      sub.unsubscribe()
    })

    it('given the owner is stopping, or the stream was unsubscribed, then no restart happens and the listeners are removed', async () => {
      const double = consumerDouble()
      let stopping = false
      const sub = kafkaBatches$(double.consumer, { canRestart: () => !stopping }).subscribe()
      double.crash(false)
      stopping = true // shutdown began while the restart waited
      await clock.tickAsync(60_000)
      expect(double.runs).to.have.length(1)
      sub.unsubscribe()
      expect(double.listeners()).to.equal(0)
      double.crash(false)
      await clock.tickAsync(60_000)
      expect(double.runs).to.have.length(1)
    })
  })
})
