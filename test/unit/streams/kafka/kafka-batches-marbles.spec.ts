/**
 * kafkaBatches$ in virtual time: a consumer double whose `eachBatch` the spec calls on a hot
 * schedule, the way kafkajs would. The hand-over itself (emit, wait for settle, commit) is checked
 * after the run, since kafkajs' side of it is promises.
 */
import { expect } from 'chai'
import { map, type Observable } from 'rxjs'
import type { TestScheduler } from 'rxjs/testing'
import type { Consumer, ConsumerRunConfig, EachBatchPayload } from 'kafkajs'
import { kafkaBatches$, type IncomingBatch } from '../../../../src/streams/kafka/kafka-source.js'
import { testScheduler } from '../../../support/marbles.js'

/** Only what kafkaBatches$ touches: events, on, run, commitOffsets. */
const consumerDouble = () => {
  const runs: ConsumerRunConfig[] = []
  const commits: unknown[] = []
  let listeners = 0
  const consumer = {
    events: { CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join' },
    on: () => {
      listeners += 1
      return () => (listeners -= 1)
    },
    run: (config: ConsumerRunConfig) => {
      runs.push(config)
      return Promise.resolve()
    },
    commitOffsets: (offsets: unknown) => {
      commits.push(offsets)
      return Promise.resolve()
    },
  }
  /** kafkajs handing over one batch; resolves when kafkaBatches$ is done with it */
  const deliver = (payload: EachBatchPayload): Promise<void> => runs[0]?.eachBatch?.(payload) ?? Promise.reject(new Error('not running'))
  return { consumer: consumer as unknown as Consumer, commits, deliver, listeners: () => listeners }
}

/** A batch of partition 0 with these offsets; `stale` as kafkajs says after a rebalance. */
const payloadOf = (offsets: readonly string[], stale = false): EachBatchPayload =>
  ({
    batch: {
      topic: 'telemetry-create-prometheus-job-and-grafana-dashboard',
      partition: 0,
      messages: offsets.map((offset) => ({ offset, key: Buffer.from('svc'), value: Buffer.from('{}'), timestamp: '1', attributes: 0, headers: {} })),
      lastOffset: () => offsets[offsets.length - 1] ?? '-1',
    },
    isRunning: () => true,
    isStale: () => stale,
    heartbeat: () => Promise.resolve(),
    resolveOffset: () => undefined,
  }) as unknown as EachBatchPayload

const offsetsOf = (batch$: Observable<IncomingBatch>) => batch$.pipe(map((batch) => batch.deliveries.map((d) => d.offset).join(',')))

describe('kafkaBatches$ (marbles)', () => {
  let scheduler: TestScheduler
  beforeEach(() => {
    scheduler = testScheduler()
  })

  it('emits every batch kafkajs hands over, when it hands it over; empty and stale batches are skipped', () => {
    const double = consumerDouble()
    scheduler.run(({ hot, expectObservable }) => {
      const handOver = hot('-a-b-c-d', { a: ['1', '2'], b: [], c: ['3'], d: ['4'] })
      const expected = '    -a---c--'
      expectObservable(offsetsOf(kafkaBatches$(double.consumer))).toBe(expected, { a: '1,2', c: '3' })
      handOver.subscribe((offsets) => {
        void double.deliver(payloadOf(offsets, offsets[0] === '4')).catch(() => undefined)
      })
    })
  })

  it("keeps kafkajs waiting until the batch is settled, and only then commits the batch's next offset", async () => {
    const double = consumerDouble()
    const seen: IncomingBatch[] = []
    let handled: Promise<void> = Promise.resolve()
    scheduler.run(({ hot }) => {
      kafkaBatches$(double.consumer).subscribe((batch) => seen.push(batch))
      hot('-a', { a: ['7', '8'] }).subscribe((offsets) => {
        handled = double.deliver(payloadOf(offsets))
      })
    })
    await Promise.resolve()
    expect(double.commits).to.deep.equal([])
    seen[0]?.settle()
    await handled
    expect(double.commits).to.deep.equal([[{ topic: 'telemetry-create-prometheus-job-and-grafana-dashboard', partition: 0, offset: '9' }]])
  })

  it('removes its consumer listeners when unsubscribed', () => {
    const double = consumerDouble()
    scheduler.run(({ expectObservable }) => {
      expectObservable(kafkaBatches$(double.consumer), '^--!').toBe('---')
    })
    expect(double.listeners()).to.equal(0)
  })
})
