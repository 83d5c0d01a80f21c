/**
 * The retention pass as the running service carries it out (Kafka → Redis → simulators → Kafka):
 * the service's clock is moved past the retention windows, and its own periodic pass removes a
 * deleted service's keys while a live service keeps its state and goes on answering.
 */
import { expect } from 'chai'
import { serviceKeys, indexKeys } from '../../../src/state/store/redis-keys.js'
import { useHarness } from '../../support/harness-hooks.js'
import { testRedis } from '../../support/redis-helpers.js'
import { createRequest, dataOf, deleteRequest, publishRequests, resultOf } from '../../support/request-builders.js'
import { sleep } from '../../support/wait.js'

const DAY_MS = 86_400_000

describe('retention through the running service (Redis does not grow for ever)', function () {
  this.timeout(90_000)
  // the service's clock: moved forward by the spec, so the windows pass in seconds
  let skewMs = 0
  const ctx = useHarness({ harness: { now: () => new Date(Date.now() + skewMs), env: { RETENTION_INTERVAL: '1' } } })

  it("a deleted service's keys go after DELETED_SERVICE_GRACE; a live service keeps its state and still answers", async () => {
    const gone = createRequest('retention-deleted-svc')
    const kept = createRequest('retention-live-svc')
    await publishRequests([gone, kept])
    for (const request of [gone, kept]) expect(dataOf(await resultOf(ctx.results, request))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    const remove = deleteRequest('retention-deleted-svc')
    await publishRequests([remove])
    expect(dataOf(await resultOf(ctx.results, remove))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })

    const redis = testRedis('')
    try {
      const prefix = ctx.harness.stack.config.redis.keyPrefix
      const { events, version, seen, snapshot } = serviceKeys(prefix, 'retention-deleted-svc')
      const goneKeys: readonly string[] = [events, version, seen, snapshot]
      expect(await redis.exists(...goneKeys)).to.be.greaterThan(0)
      const keptSnapshot = await redis.get(serviceKeys(prefix, 'retention-live-svc').snapshot)

      // 40 days later: past EVENT_RETENTION (30 d), INBOX_RETENTION (14 d) and DELETED_SERVICE_GRACE (7 d)
      skewMs = 40 * DAY_MS
      const deadline = Date.now() + 20_000
      while ((await redis.exists(...goneKeys)) > 0 && Date.now() < deadline) await sleep(250)

      expect(await redis.exists(...goneKeys), 'the deleted service has no keys left').to.equal(0)
      expect(await redis.zscore(indexKeys(prefix).services, 'retention-deleted-svc')).to.equal(null)
      // the live service's snapshot holds everything the trimmed events held
      expect(await redis.get(serviceKeys(prefix, 'retention-live-svc').snapshot)).to.equal(keptSnapshot)
      const state = await ctx.harness.store.load('retention-live-svc')
      expect(state?.status).to.equal('active')

      const later = deleteRequest('retention-live-svc')
      await publishRequests([later])
      expect(dataOf(await resultOf(ctx.results, later))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    } finally {
      redis.disconnect()
    }
  })
})
