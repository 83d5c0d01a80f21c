import { expect } from 'chai'
import { createOperatorLease } from '../../../src/ops/operator-lease.js'
import type { ServiceLease } from '../../../src/state/store/service-lease.js'

/** A lease table in memory: `holders` says who holds what; the operator is 'ops'. */
const leaseTable = (holders: Map<string, string>) => {
  const log: string[] = []
  const lease: ServiceLease = {
    acquire: (id) => {
      log.push(`acquire ${id}`)
      const holder = holders.get(id)
      if (holder !== undefined && holder !== 'ops') return Promise.resolve(false)
      holders.set(id, 'ops')
      return Promise.resolve(true)
    },
    renew: (id) => Promise.resolve(holders.get(id) === 'ops'),
    release: (id) => {
      log.push(`release ${id}`)
      if (holders.get(id) === 'ops') holders.delete(id)
      return Promise.resolve()
    },
  }
  return { lease, log }
}

describe('operator lease', () => {
  it('runs the work with the leases it could claim, reports the others busy, and releases what it held', async () => {
    const holders = new Map([['svc-b', 'replica-1']])
    const { lease, log } = leaseTable(holders)
    const operator = createOperatorLease(lease, { waitMs: 0, pollMs: 10, renewMs: 1000 })
    const seen = await operator.holding(['svc-a', 'svc-b', 'svc-c'], (held, busy) => Promise.resolve({ held, busy, during: [...holders] }))
    expect(seen.held).to.deep.equal(['svc-a', 'svc-c'])
    expect(seen.busy).to.deep.equal(['svc-b'])
    expect(seen.during).to.deep.include.members([
      ['svc-a', 'ops'],
      ['svc-c', 'ops'],
    ])
    expect([...holders]).to.deep.equal([['svc-b', 'replica-1']])
    expect(log.filter((l) => l.startsWith('release'))).to.deep.equal(['release svc-a', 'release svc-c'])
  })

  it('waits for a lease the service lets go within the wait', async () => {
    const holders = new Map([['svc-a', 'replica-1']])
    const { lease } = leaseTable(holders)
    let polls = 0
    const sleep = () => {
      polls += 1
      if (polls === 2) holders.delete('svc-a')
      return Promise.resolve()
    }
    const operator = createOperatorLease(lease, { waitMs: 60_000, pollMs: 10, renewMs: 1000, sleep })
    expect(await operator.holding(['svc-a'], (held, busy) => Promise.resolve({ held, busy }))).to.deep.equal({ held: ['svc-a'], busy: [] })
  })

  it('releases the leases when the work throws', async () => {
    const holders = new Map<string, string>()
    const { lease } = leaseTable(holders)
    const operator = createOperatorLease(lease, { waitMs: 0, pollMs: 10, renewMs: 1000 })
    let error: unknown
    try {
      await operator.holding(['svc-a'], () => Promise.reject(new Error('boom')))
    } catch (e) {
      error = e
    }
    expect(error).to.be.instanceOf(Error)
    expect(holders.size).to.equal(0)
  })
})
