/**
 * Crash recovery in scrapeconfig mode: kill -9 right around the ScrapeConfig write of a create
 * and of a delete, then a restart. As in secret mode, the world ends as if nothing happened (one
 * object per live service, none for a deleted one) and every copy of the result is identical.
 */
import { expect } from 'chai'
import { RequestTopics } from '../../../src/codecs/topics.js'
import { scrapeConfigName } from '../../../src/effects/kube/scrapeconfig/scrape-config-name.js'
import { DEV_SCRAPE_CONFIG } from '../../../dev/dev-stack.js'
import { type CollectedMessage } from '../../support/kafka-helpers.js'
import { createRequest, deleteRequest } from '../../support/request-builders.js'
import { useHarness } from '../../support/harness-hooks.js'
import { crashAndRecover as crashAndRecoverIn, createWithHealthyService } from '../../support/crash-and-recover.js'

const statusOf = (m: CollectedMessage | undefined) =>
  (JSON.parse(m?.value?.toString('utf8') ?? '{}') as { data?: { dashboardDataOrderStatus?: string } }).data?.dashboardDataOrderStatus

describe('scrapeconfig backend: crash recovery around the ScrapeConfig write', function () {
  this.timeout(240_000)
  const ctx = useHarness({ service: false, harness: { env: { SCRAPE_CONFIG_BACKEND: 'scrapeconfig' } } })

  const objectOf = (serviceId: string) => ctx.harness.stack.kube.scrapeConfig(DEV_SCRAPE_CONFIG.namespace, scrapeConfigName(serviceId))

  /** kill -9 at `point`, restart; every copy of the result must be identical and SUCCESS. */
  const crashAndRecover = async (point: string, request: Parameters<typeof crashAndRecoverIn>[2], topic: string) => {
    const copies = await crashAndRecoverIn(ctx, point, request, topic)
    expect(copies.length).to.be.greaterThan(0)
    for (const copy of copies) expect(copy.value?.toString('utf8')).to.equal(copies[0]?.value?.toString('utf8'))
    expect(statusOf(copies[0])).to.equal('SUCCESS')
  }

  for (const [i, point] of ['before-effect:registerJob', 'after-effect:registerJob', 'after-append:registerJob'].entries()) {
    it(`create survives a crash at ${point}`, async () => {
      const serviceId = `sc-crash-create-${i}`
      await crashAndRecover(point, createRequest(serviceId), RequestTopics.create)
      expect(objectOf(serviceId), 'the ScrapeConfig').to.exist
      expect(ctx.harness.stack.scrapeConfigObjects().filter((o) => JSON.stringify(o).includes(`"${serviceId}"`))).to.have.length(1)
    })
  }

  describe('delete', () => {
    const deletePoints = ['after-effect:removeJob', 'after-append:removeJob']
    // a healthy service creates them all first; each case arms its crash for the delete only
    before(() =>
      createWithHealthyService(
        ctx,
        deletePoints.map((_, i) => `sc-crash-delete-${i}`),
      ),
    )

    for (const [i, point] of deletePoints.entries()) {
      it(`delete survives a crash at ${point}`, async () => {
        const serviceId = `sc-crash-delete-${i}`
        expect(objectOf(serviceId)).to.exist
        await crashAndRecover(point, deleteRequest(serviceId), RequestTopics.delete)
        expect(objectOf(serviceId)).to.equal(undefined)
      })
    }
  })
})
