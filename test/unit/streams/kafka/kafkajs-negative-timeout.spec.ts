import { expect } from 'chai'
import sinon from 'sinon'
import { createRequire } from 'node:module'
import { kafkajsPatched } from '../../../../src/streams/kafka/kafkajs-negative-timeout.js'

const require = createRequire(import.meta.url)

interface Queue {
  throttledUntil: number
  pending: unknown[]
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null
  checkPendingRequests(): void
  scheduleCheckPendingRequests(): void
}

/**
 * A RequestQueue as kafkajs builds it, without a broker: only the fields its methods read. Its
 * pending-request check is a counter, unless the test needs upstream's own (`check: 'upstream'`).
 */
const queue = (throttledUntil: number, pending: unknown[] = [], check: 'counted' | 'upstream' = 'counted'): Queue & { checks: number } => {
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as { prototype: Queue }
  const q = Object.create(RequestQueue.prototype) as Queue & { checks: number }
  Object.assign(q, { throttledUntil, pending, inflight: new Map(), maxInFlightRequests: null, throttleCheckTimeoutId: null, checks: 0 })
  if (check === 'counted') {
    q.checkPendingRequests = () => {
      q.checks += 1
    }
  }
  return q
}

const warningsDuring = async (action: () => void): Promise<string[]> => {
  const seen: string[] = []
  const listener = (w: Error): void => {
    seen.push(w.name)
  }
  process.on('warning', listener)
  try {
    action()
    // warnings are emitted on the next tick
    await new Promise((r) => setTimeout(r, 20))
  } finally {
    process.off('warning', listener)
  }
  return seen
}

describe('kafkajs negative timeout patch (kafkajs issue #1751)', () => {
  it('is applied to the kafkajs version installed', () => {
    expect(kafkajsPatched, 'kafkajs changed version: check whether the patch is still needed').to.equal(true)
  })

  it('an unthrottled queue with a request waiting checks it after 10 ms, without a negative delay (no TimeoutNegativeWarning on Node 24)', async () => {
    const q = queue(-1, ['request'])
    const warnings = await warningsDuring(() => q.scheduleCheckPendingRequests())
    expect(warnings).to.not.include('TimeoutNegativeWarning')
    expect(q.checks, "the check runs, after upstream's 10 ms re-check interval").to.equal(1)
  })

  it('a queue with nothing waiting sets no timer: no 1 ms loop for an idle connection (kafkajs #1556)', async () => {
    for (const throttledUntil of [-1, Date.now() + 5]) {
      const q = queue(throttledUntil)
      const warnings = await warningsDuring(() => q.scheduleCheckPendingRequests())
      expect(warnings).to.not.include('TimeoutNegativeWarning')
      expect(q.throttleCheckTimeoutId).to.equal(null)
      expect(q.checks).to.equal(0)
    }
  })

  it('a check that finds the queue empty does not schedule the next one (the loop ends)', async () => {
    const q = queue(-1, [], 'upstream')
    q.checkPendingRequests()
    expect(q.throttleCheckTimeoutId, 'upstream would have set a 1 ms timer here').to.equal(null)
    await new Promise((r) => setTimeout(r, 20))
    expect(q.throttleCheckTimeoutId).to.equal(null)
  })

  it('keeps upstream behaviour: a throttled queue waits for the throttle, one timer at a time', () => {
    // fake clock: a busy machine must not run the 30 ms throttle out before the first look
    const clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    try {
      const q = queue(Date.now() + 30, ['request'])
      q.scheduleCheckPendingRequests()
      const first = q.throttleCheckTimeoutId
      q.scheduleCheckPendingRequests()
      expect(q.throttleCheckTimeoutId).to.equal(first)
      clock.tick(10)
      expect(q.checks, 'not before the throttle ends').to.equal(0)
      clock.tick(60)
      expect(q.checks).to.equal(1)
    } finally {
      clock.restore()
    }
  })
})
