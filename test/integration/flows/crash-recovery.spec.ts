/**
 * kill -9 at every step of a create and of a delete, then a restart: the secret, the dashboards
 * and the results end as if nothing had happened (results may be re-sent, but identical).
 */
import { expect } from 'chai'
import { load } from '../../support/yaml.js'
import { RequestTopics, ResultTopics } from '../../../src/codecs/topics.js'
import { type CollectedMessage } from '../../support/kafka-helpers.js'
import { checkScrapeConfigsWithPromtool } from '../../support/promtool.js'
import { createRequest, deleteRequest } from '../../support/request-builders.js'
import { useHarness } from '../../support/harness-hooks.js'
import { crashAndRecover as crashAndRecoverIn, createWithHealthyService } from '../../support/crash-and-recover.js'

describe('crash recovery: kill -9 at each step, then restart', function () {
  this.timeout(300_000)
  const ctx = useHarness({ service: false })

  const jobsOf = () => (load(ctx.harness.stack.scrapeConfigs() ?? '') ?? []) as Array<{ job_name: string }>
  const dashboardsOf = (serviceId: string) => ctx.harness.stack.grafana.dashboards().filter((d) => d.uid.endsWith(serviceId))

  const crashAndRecover = (point: string, request: Parameters<typeof crashAndRecoverIn>[2], topic: string) => crashAndRecoverIn(ctx, point, request, topic)

  const expectIdentical = (copies: CollectedMessage[]) => {
    expect(copies.length).to.be.greaterThan(0)
    const first = copies[0]?.value?.toString('utf8')
    for (const copy of copies) expect(copy.value?.toString('utf8')).to.equal(first)
    const data = (JSON.parse(first ?? '{}') as { data: { dashboardDataOrderStatus: string } }).data
    expect(data.dashboardDataOrderStatus).to.equal('SUCCESS')
  }

  const createPoints = ['registerJob', 'upsertDashboard', 'complete', 'publishResult'].flatMap((step) =>
    ['before-effect', 'after-effect', 'after-append'].map((moment) => `${moment}:${step}`),
  )

  createPoints.forEach((point, i) => {
    it(`create survives a crash at ${point}`, async () => {
      const serviceId = `crash-create-${i}`
      const copies = await crashAndRecover(point, createRequest(serviceId), RequestTopics.create)
      expectIdentical(copies)
      expect(copies[0]?.topic).to.equal(ResultTopics.create)
      const names = jobsOf().map((j) => j.job_name)
      expect(names.filter((n) => n === serviceId)).to.have.length(1)
      expect(new Set(names).size).to.equal(names.length)
      expect(dashboardsOf(serviceId)).to.have.length(2)
    })
  })

  const deletePoints = ['removeJob', 'deleteDashboards', 'complete', 'publishResult'].flatMap((step) =>
    ['before-effect', 'after-effect', 'after-append'].map((moment) => `${moment}:${step}`),
  )

  describe('delete', () => {
    // a healthy service creates them all first; each case arms its crash for the delete only
    before(() =>
      createWithHealthyService(
        ctx,
        deletePoints.map((_, i) => `crash-delete-${i}`),
      ),
    )

    deletePoints.forEach((point, i) => {
      it(`delete survives a crash at ${point}`, async () => {
        const serviceId = `crash-delete-${i}`
        const copies = await crashAndRecover(point, deleteRequest(serviceId), RequestTopics.delete)
        expectIdentical(copies)
        expect(jobsOf().map((j) => j.job_name)).to.not.include(serviceId)
        expect(dashboardsOf(serviceId)).to.have.length(0)
      })
    })
  })

  it('leaves a secret promtool accepts', async () => {
    const check = await checkScrapeConfigsWithPromtool(ctx.harness.stack.scrapeConfigs() ?? '')
    expect(check.ok, check.output).to.equal(true)
  })
})
