import { expect } from 'chai'
import { createBatchingSender } from '../../../src/operators/batching-sender.js'
import type { ResultRecord } from '../../../src/codecs/events.js'

const record = (key: string): ResultRecord => ({ topic: 't', key, value: '{}' })

describe('operators/batching-sender', () => {
  it('given a send in flight, when more records arrive, then they all go out in the next single send', async () => {
    const sends: string[][] = []
    let release: () => void = () => undefined
    const sender = createBatchingSender(async (records) => {
      sends.push(records.map((r) => r.key))
      if (sends.length === 1) await new Promise<void>((r) => (release = r))
    })
    const first = sender.send(record('a'))
    const rest = ['b', 'c', 'd'].map((k) => sender.send(record(k)))
    release()
    await Promise.all([first, ...rest])
    expect(sends).to.deep.equal([['a'], ['b', 'c', 'd']])
    sender.close()
  })

  it('given a failing send, then every record of that batch is rejected and the next batch still goes out', async () => {
    let calls = 0
    const sender = createBatchingSender(() => (++calls === 1 ? Promise.reject(new Error('broker down')) : Promise.resolve()))
    const failed = sender.send(record('a'))
    let error: unknown
    await failed.catch((e: unknown) => (error = e))
    expect((error as Error).message).to.equal('broker down')
    await sender.send(record('b'))
    expect(calls).to.equal(2)
    sender.close()
  })

  it('given per-record outcomes, then only the failed record is rejected; the others of the batch resolve', async () => {
    const sender = createBatchingSender((records) => Promise.resolve(records.map((r) => (r.key === 'bad' ? new Error('not sent') : undefined))))
    const settled = await Promise.allSettled(['a', 'bad', 'c'].map((k) => sender.send(record(k))))
    expect(settled.map((s) => s.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled'])
    sender.close()
  })
})
