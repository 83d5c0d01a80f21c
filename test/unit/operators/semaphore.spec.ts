import { expect } from 'chai'
import { createSemaphore } from '../../../src/operators/semaphore.js'

describe('operators/semaphore', () => {
  it('given 2 slots, then a third holder waits until one is released, in FIFO order', async () => {
    const semaphore = createSemaphore(2)
    const order: string[] = []
    const a = await semaphore.acquire()
    const b = await semaphore.acquire()
    const c = semaphore.acquire().then((release) => (order.push('c'), release))
    const d = semaphore.acquire().then((release) => (order.push('d'), release))
    await Promise.resolve()
    expect(order).to.deep.equal([])
    expect(semaphore.inUse).to.equal(2)
    a()
    a() // releasing twice frees one slot only
    ;(await c)()
    b()
    ;(await d)()
    expect(order).to.deep.equal(['c', 'd'])
    expect(semaphore.inUse).to.equal(0)
  })
})
