import { expect } from 'chai'
import { heldLease, type ServiceLease } from '../../../../src/state/store/service-lease.js'

/** a lease whose answers are scripted, counting the round trips */
const scripted = (answers: boolean[]) => {
  const asked: string[] = []
  const answer = (call: string) => () => {
    asked.push(call)
    return Promise.resolve(answers.shift() ?? true)
  }
  const lease: ServiceLease = { acquire: answer('acquire'), renew: answer('renew'), release: () => Promise.resolve() }
  return { lease, asked }
}

describe('heldLease: a step trusts a recent confirmation instead of asking Redis', () => {
  let now = 0
  const clock = () => now
  beforeEach(() => (now = 1000))

  it('given an acquire answered yes, when a step starts within the renewal period, then no round trip is made', async () => {
    const { lease, asked } = scripted([true])
    const held = heldLease(lease, 5000, clock)
    await held.acquire('s')
    now += 4999
    expect(await held.stillHeld('s')).to.equal(true)
    expect(asked).to.deep.equal(['acquire'])
  })

  it('given the renewal period has passed since the last yes, when a step starts, then it asks, and the answer decides', async () => {
    const { lease, asked } = scripted([true, false])
    const held = heldLease(lease, 5000, clock)
    await held.acquire('s')
    now += 5000
    expect(await held.stillHeld('s')).to.equal(false)
    expect(asked).to.deep.equal(['acquire', 'renew'])
  })

  it('given a background renewal answered yes, then the period counts from when that renewal was sent', async () => {
    const { lease, asked } = scripted([true, true])
    const held = heldLease(lease, 5000, clock)
    await held.acquire('s')
    now += 4000
    await held.renew('s')
    now += 4000
    expect(await held.stillHeld('s')).to.equal(true)
    expect(asked).to.deep.equal(['acquire', 'renew'])
  })

  it('given a background renewal answered no (the lease was lost), then the next step asks again at once', async () => {
    const { lease, asked } = scripted([true, false, false])
    const held = heldLease(lease, 5000, clock)
    await held.acquire('s')
    await held.renew('s')
    expect(await held.stillHeld('s')).to.equal(false)
    expect(asked).to.deep.equal(['acquire', 'renew', 'renew'])
  })

  it('given no renewal period, then every step asks', async () => {
    const { lease, asked } = scripted([true])
    const held = heldLease(lease, undefined, clock)
    await held.acquire('s')
    expect(await held.stillHeld('s')).to.equal(true)
    expect(asked).to.deep.equal(['acquire', 'renew'])
  })
})
