/**
 * Dashboard links when Grafana is served from a sub-path (`serve_from_sub_path`): Grafana returns
 * `/grafana/d/…`, and SONATA must get `https://host/grafana/d/…` whether GRAFANA_PUBLIC_URL
 * carries the sub-path or not — never `/grafana/grafana/`.
 */
import { expect } from 'chai'
import { dashboardUid } from '../../../src/effects/grafana/dashboard-uids.js'
import { useHarness, type HarnessContext } from '../../support/harness-hooks.js'
import { createRequest, envelopeOf, publishRequests, resultOf } from '../../support/request-builders.js'

const linksOf = async (ctx: HarnessContext, serviceId: string): Promise<Record<string, unknown>> => {
  const request = createRequest(serviceId)
  await publishRequests([request])
  return envelopeOf(await resultOf(ctx.results, request)).data
}

const storedPath = (ctx: HarnessContext, uid: string): string => ctx.harness.stack.grafana.dashboards().find((d) => d.uid === uid)?.url ?? 'missing'

for (const publicUrl of ['https://host.example/grafana', 'https://host.example']) {
  describe(`dashboard links with Grafana under /grafana and GRAFANA_PUBLIC_URL=${publicUrl}`, function () {
    this.timeout(60_000)
    const ctx = useHarness({ harness: { grafana: { subPath: '/grafana' }, env: { GRAFANA_PUBLIC_URL: publicUrl } } })

    it('the service talks to Grafana under the sub-path and answers links with the sub-path once', async () => {
      expect(ctx.harness.stack.grafana.url).to.match(/\/grafana$/)
      const data = await linksOf(ctx, 'svc-sub-path')
      expect(data).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
      const metricsUid = dashboardUid('svc-sub-path', 'metrics')
      const logsUid = dashboardUid('svc-sub-path', 'logs')
      expect(data['metricsDashboardUrl']).to.equal(`https://host.example/grafana${storedPath(ctx, metricsUid)}`)
      expect(data['logsDashboardUrl']).to.equal(`https://host.example/grafana${storedPath(ctx, logsUid)}`)
      expect(String(data['metricsDashboardUrl'])).to.match(/^https:\/\/host\.example\/grafana\/d\/tcm-/)
      expect(String(data['metricsDashboardUrl'])).not.to.include('/grafana/grafana/')
    })
  })
}
