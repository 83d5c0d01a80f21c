import { expect } from 'chai'
import { Redis } from 'ioredis'
import { createServiceLease } from '../../../../src/state/store/service-lease.js'
import { serviceKeys } from '../../../../src/state/store/redis-keys.js'
import { testRedisUrl, uniquePrefix } from '../../../support/redis-helpers.js'

describe('state/store/service-lease (real Redis)', () => {
  let redis: Redis
  before(() => {
    redis = new Redis(testRedisUrl())
  })
  after(async () => {
    await redis.quit()
  })

  it('one replica at a time: the holder renews and re-acquires, the other is refused until release', async () => {
    const prefix = uniquePrefix()
    const a = createServiceLease(redis, prefix, 'replica-a', 10_000)
    const b = createServiceLease(redis, prefix, 'replica-b', 10_000)
    expect(await a.acquire('svc')).to.equal(true)
    expect(await a.acquire('svc'), 'the holder again').to.equal(true)
    expect(await b.acquire('svc')).to.equal(false)
    expect(await b.renew('svc')).to.equal(false)
    await b.release('svc') // not the holder: no effect
    expect(await redis.get(serviceKeys(prefix, 'svc').lease)).to.equal('replica-a')
    await a.release('svc')
    expect(await b.acquire('svc')).to.equal(true)
  })

  it('an expired lease (its holder died) is taken over, and the old holder can no longer renew it', async () => {
    const prefix = uniquePrefix()
    const dead = createServiceLease(redis, prefix, 'dead', 100)
    const next = createServiceLease(redis, prefix, 'next', 10_000)
    expect(await dead.acquire('svc')).to.equal(true)
    await new Promise((r) => setTimeout(r, 150))
    expect(await next.acquire('svc')).to.equal(true)
    expect(await dead.renew('svc')).to.equal(false)
  })
})
