/**
 * Which Grafana API the service speaks, end to end: with the legacy routes switched off (a future
 * Grafana) every flow still works through `/apis`, a Grafana outage included; with both APIs on,
 * GRAFANA_API=auto picks `/apis`; and when Grafana is upgraded under the running service (from
 * one without `/apis` to one without the legacy routes), the first 404 makes it ask discovery
 * again and go on through `/apis`, the dashboards written through the legacy API included.
 */
import { expect } from 'chai'
import { GRAFANA_13 } from '../../../dev/grafana-simulator/apis-discovery.js'
import { MANAGED_BY_LABEL, dashboardUid } from '../../../src/effects/grafana/dashboard-uids.js'
import { useHarness, type HarnessContext } from '../../support/harness-hooks.js'
import { sleep, until } from '../../support/wait.js'
import { createRequest, dataOf, deleteRequest, platformRequest, publishRequests, resultOf } from '../../support/request-builders.js'

const readyz = async (ctx: HarnessContext): Promise<{ details?: { grafanaApi?: string } }> =>
  (await (await fetch(`${ctx.harness.service?.http.url ?? ''}/readyz`)).json()) as { details?: { grafanaApi?: string } }

describe('Grafana API choice, end to end', function () {
  this.timeout(120_000)

  describe('legacy routes switched off, GRAFANA_API=auto', () => {
    const ctx = useHarness({
      harness: {
        grafana: { legacyRoutes: false },
        env: { GRAFANA_API: 'auto', GRAFANA_RETRIES: '1', GRAFANA_TIMEOUT_MS: '1000', REQUEST_RETRY_BASE_DELAY: '1s', REQUEST_RETRY_MAX_DELAY: '4s' },
      },
    })
    const byUid = (uid: string) => ctx.harness.stack.grafana.dashboards().find((d) => d.uid === uid)

    it('create, platform and delete answer as today, with the links built by the service', async () => {
      const create = createRequest('api-off-svc')
      const platform = platformRequest('api-off-platform', ['kube-system'])
      await publishRequests([create, platform])
      const created = dataOf(await resultOf(ctx.results, create))
      const metrics = dashboardUid('api-off-svc', 'metrics')
      expect(created).to.include({
        dashboardDataOrderStatus: 'SUCCESS',
        dashboardId: metrics,
        metricsDashboardUrl: `http://grafana.local:3000/d/${metrics}/app-metrics-api-off-svc`,
        logsDashboardUrl: `http://grafana.local:3000/d/${dashboardUid('api-off-svc', 'logs')}/service-logs-api-off-svc`,
      })
      expect(dataOf(await resultOf(ctx.results, platform))).to.include({
        dashboardDataOrderStatus: 'SUCCESS',
        dashboardId: dashboardUid('api-off-platform', 'platform'),
      })
      expect(byUid(metrics)?.labels).to.include({ [MANAGED_BY_LABEL]: 'telemetry-client' })
      expect((await readyz(ctx)).details?.grafanaApi).to.equal('apis (dashboard.grafana.app/v1, folder.grafana.app/v1, namespace default)')

      const remove = deleteRequest('api-off-svc')
      await publishRequests([remove])
      expect(dataOf(await resultOf(ctx.results, remove))['deletedDashboardUids']).to.have.members([metrics, dashboardUid('api-off-svc', 'logs')])
      expect(byUid(metrics)).to.equal(undefined)
    })

    it('Grafana answers 503 to everything for a while: the create waits it out and ends SUCCESS', async () => {
      const { faults } = ctx.harness.stack.grafana
      faults.add({ kind: '*', effect: { type: 'status', status: 503 } })
      const create = createRequest('api-off-outage')
      await publishRequests([create])
      await until(
        () => (ctx.harness.stack.grafana.requests.get('folder.create') ?? 0) + (ctx.harness.stack.grafana.requests.get('dashboard.get') ?? 0) > 2,
        'the service met the outage',
      )
      await sleep(3000)
      faults.clear()
      expect(dataOf(await resultOf(ctx.results, create, 60_000))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
      expect(byUid(dashboardUid('api-off-outage', 'logs'))).to.exist
    })
  })

  describe('both APIs on, GRAFANA_API=auto', () => {
    const ctx = useHarness({ harness: { env: { GRAFANA_API: 'auto' } } })

    it('picks /apis, the newest versions discovery offers', async () => {
      await until(async () => (await readyz(ctx)).details?.grafanaApi?.startsWith('apis') === true, '/readyz names the API')
      expect((await readyz(ctx)).details?.grafanaApi).to.equal('apis (dashboard.grafana.app/v1, folder.grafana.app/v1, namespace default)')
      const create = createRequest('auto-svc')
      await publishRequests([create])
      expect(dataOf(await resultOf(ctx.results, create))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
      expect(ctx.harness.stack.grafana.dashboards().find((d) => d.uid === dashboardUid('auto-svc', 'metrics'))?.labels).to.include({
        [MANAGED_BY_LABEL]: 'telemetry-client',
      })
    })
  })

  describe('Grafana upgraded under the running service (GRAFANA_API=auto)', () => {
    const ctx = useHarness({ harness: { grafana: { apis: false }, env: { GRAFANA_API: 'auto' } } })
    const byUid = (uid: string) => ctx.harness.stack.grafana.dashboards().find((d) => d.uid === uid)

    it('speaks the legacy API to a Grafana without /apis, then /apis once the legacy routes are gone', async () => {
      const before = createRequest('upgrade-old')
      await publishRequests([before])
      expect(dataOf(await resultOf(ctx.results, before))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
      expect((await readyz(ctx)).details?.grafanaApi).to.equal('legacy (/api)')
      expect(byUid(dashboardUid('upgrade-old', 'metrics'))?.labels).to.deep.equal({})

      ctx.harness.stack.grafana.setApis(GRAFANA_13)
      ctx.harness.stack.grafana.setLegacyRoutes(false)
      const after = createRequest('upgrade-new')
      await publishRequests([after])
      expect(dataOf(await resultOf(ctx.results, after))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
      expect(byUid(dashboardUid('upgrade-new', 'metrics'))?.labels).to.include({ [MANAGED_BY_LABEL]: 'telemetry-client' })
      expect((await readyz(ctx)).details?.grafanaApi).to.match(/^apis /)

      // a dashboard written through the legacy API is the service's through /apis too (fixed uid, own folder)
      const remove = deleteRequest('upgrade-old')
      await publishRequests([remove])
      expect(dataOf(await resultOf(ctx.results, remove))['deletedDashboardUids']).to.have.members([
        dashboardUid('upgrade-old', 'metrics'),
        dashboardUid('upgrade-old', 'logs'),
      ])
    })
  })

  describe('GRAFANA_API=legacy (the legacy subset: the flows, 5xx, 429 and a 412 folder race)', () => {
    const ctx = useHarness({ harness: { grafana: { folderExistsStatus: 412 }, env: { GRAFANA_API: 'legacy' } } })
    const grafana = () => ctx.harness.stack.grafana

    it('create through 503s and a 429, platform with its folder made by someone else first (412), delete', async () => {
      const folders = await fetch(`${grafana().url}/api/folders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${grafana().token}` },
        body: JSON.stringify({ uid: 'etsi-hypo-platform-service-logs', title: 'ETSI HypO Platform Service Logs' }),
      })
      expect(folders.status).to.equal(200)
      grafana().faults.add({ kind: 'dashboard.upsert', effect: { type: 'status', status: 503 }, times: 2 })
      grafana().faults.add({ kind: 'folder.create', effect: { type: 'status', status: 429, retryAfterSeconds: 1 }, times: 1 })
      const create = createRequest('legacy-svc')
      const platform = platformRequest('legacy-platform', ['kube-system'])
      await publishRequests([create, platform])
      const metrics = dashboardUid('legacy-svc', 'metrics')
      expect(dataOf(await resultOf(ctx.results, create))).to.include({
        dashboardDataOrderStatus: 'SUCCESS',
        dashboardId: metrics,
        metricsDashboardUrl: `http://grafana.local:3000/d/${metrics}/app-metrics-legacy-svc`,
      })
      expect(dataOf(await resultOf(ctx.results, platform))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
      expect(grafana().faults.injected.get('dashboard.upsert')).to.equal(2)
      // written through the legacy API: tags, no labels
      expect(
        grafana()
          .dashboards()
          .find((d) => d.uid === metrics),
      ).to.deep.include({ labels: {} })
      expect((await readyz(ctx)).details?.grafanaApi).to.equal('legacy (/api)')
      expect(grafana().requests.get('discovery') ?? 0).to.equal(0)

      const remove = deleteRequest('legacy-svc')
      await publishRequests([remove])
      expect(dataOf(await resultOf(ctx.results, remove))['deletedDashboardUids']).to.have.members([metrics, dashboardUid('legacy-svc', 'logs')])
    })
  })
})
