import { expect } from 'chai'
import { throwError, type Observable } from 'rxjs'
import type { TestScheduler } from 'rxjs/testing'
import type { ResultRecord } from '../../../src/codecs/events.js'
import { createBatchingSender, type BatchingSender } from '../../../src/operators/batching-sender.js'
import { testScheduler } from '../../support/marbles.js'

const record = (key: string): ResultRecord => ({ topic: 'sonata-service-dashboard-result', key, value: '{}' })

/** The broker's batch send as cold fakes, one per send in call order; `batches` records the keys each send carried. */
const sendsAnswering = (fakes: ReadonlyArray<Observable<void>>) => {
  const batches: string[][] = []
  const sendBatch = (records: readonly ResultRecord[]) => {
    batches.push(records.map((r) => r.key))
    return fakes[batches.length - 1] ?? throwError(() => new Error(`no fake for send ${batches.length}`))
  }
  return { sendBatch, batches }
}

/** How each caller's promise settled: the key, or the key and the error message. */
const outcomes = async (sends: ReadonlyArray<readonly [string, Promise<void>]>) =>
  Promise.all(
    sends.map(([key, sent]) =>
      sent.then(
        () => key,
        (error: unknown) => `${key}: ${error instanceof Error ? error.message : String(error)}`,
      ),
    ),
  )

describe('createBatchingSender (marbles)', () => {
  let scheduler: TestScheduler
  let sender: BatchingSender | undefined
  beforeEach(() => {
    scheduler = testScheduler()
  })
  afterEach(() => sender?.close())

  /** Each value of `caller$` is one lane sending the record with that key. */
  const sendEach = (caller$: Observable<string>, fake: ReturnType<typeof sendsAnswering>) => {
    const started = createBatchingSender(fake.sendBatch)
    sender = started
    const sends: Array<readonly [string, Promise<void>]> = []
    caller$.subscribe((key) => sends.push([key, started.send(record(key))]))
    return sends
  }

  it('sends the first record alone and every record submitted while it is in flight in the next single send', async () => {
    let batches: readonly string[][] = []
    let sends: ReadonlyArray<readonly [string, Promise<void>]> = []
    scheduler.run(({ hot, cold, expectSubscriptions }) => {
      const callers = hot('  -abc------', { a: 'a', b: 'b', c: 'c' })
      const first = cold('   ---k|', { k: undefined })
      const second = cold('      -k|', { k: undefined })
      const fake = sendsAnswering([first, second])
      batches = fake.batches
      sends = sendEach(callers, fake)

      expectSubscriptions(first.subscriptions).toBe(' -^---!')
      // b and c waited for the first send to be acknowledged, then went out together
      expectSubscriptions(second.subscriptions).toBe('-----^-!')
    })
    expect(batches).to.deep.equal([['a'], ['b', 'c']])
    expect(await outcomes(sends)).to.deep.equal(['a', 'b', 'c'])
  })

  it('rejects exactly the callers whose records rode a failed send; the next send still goes out', async () => {
    let sends: ReadonlyArray<readonly [string, Promise<void>]> = []
    scheduler.run(({ hot, cold, expectSubscriptions }) => {
      const callers = hot('  -ab------', { a: 'a', b: 'b' })
      const failed = cold<void>('  --#', undefined, new Error('broker down'))
      const next = cold('      --k|', { k: undefined })
      sends = sendEach(callers, sendsAnswering([failed, next]))

      expectSubscriptions(failed.subscriptions).toBe('-^-!')
      expectSubscriptions(next.subscriptions).toBe('  ---^--!')
    })
    expect(await outcomes(sends)).to.deep.equal(['a: broker down', 'b'])
  })
})
