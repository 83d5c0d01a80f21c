import { expect } from 'chai'
import {
  logsDashboard,
  logsQuery,
  metricPanels,
  metricsDashboard,
  platformLogsDashboard,
  type DashboardInput,
} from '../../../../src/effects/grafana/dashboards.js'
import { MANAGED_TAG, dashboardUid, serviceTag } from '../../../../src/effects/grafana/dashboard-uids.js'
import { checkPromqlWithPromtool } from '../../../support/promtool.js'

const input: DashboardInput = {
  serviceId: 'ecc4345a-2097-4c3b-a40c-a9e791cdccbb',
  namespaces: ['NAMESPACE_1', 'a.b'],
  prometheusDatasourceUid: 'prom-uid',
  lokiDatasourceUid: 'loki-uid',
}
const NS_SEL = 'namespace=~"NAMESPACE_1|a\\\\.b"'
const SEL = `hypo_service_id="${input.serviceId}",${NS_SEL}`

interface Target {
  expr: string
  datasource: { type: string; uid: string }
}
interface Panel {
  title: string
  type: string
  targets: Target[]
  datasource: { type: string; uid: string }
  fieldConfig?: { defaults: { unit?: string } }
}
const panelsOf = (model: Record<string, unknown>): Panel[] => model['panels'] as Panel[]

const isPlainJson = (model: Record<string, unknown>): void => {
  expect(JSON.parse(JSON.stringify(model))).to.deep.equal(model)
}

describe('dashboards', () => {
  describe('metricsDashboard', () => {
    const model = metricsDashboard(input)

    it('has the uid, null id, title and tags of the service', () => {
      expect(model).to.include({ uid: dashboardUid(input.serviceId, 'metrics'), id: null, title: `App Metrics — ${input.serviceId}` })
      expect(model['tags']).to.deep.equal([MANAGED_TAG, serviceTag(input.serviceId)])
    })

    it('has the four panels the spec names, as timeseries on the Prometheus datasource', () => {
      const panels = panelsOf(model)
      expect(panels.map((p) => p.title)).to.deep.equal(['Memory Usage', 'CPU Usage', 'Network Received (Mbit/s)', 'Network Transmitted (Mbit/s)'])
      for (const p of panels) {
        expect(p.type).to.equal('timeseries')
        expect(p.datasource).to.deep.equal({ type: 'prometheus', uid: 'prom-uid' })
        expect(p.targets[0]?.datasource).to.deep.equal({ type: 'prometheus', uid: 'prom-uid' })
      }
    })

    it('queries use the escaped namespace selector and the reference expressions', () => {
      const exprs = panelsOf(model).map((p) => p.targets[0]?.expr)
      expect(exprs).to.deep.equal([
        `sum by (namespace) (container_memory_working_set_bytes{${SEL},container!="",image!=""})`,
        `sum by (namespace) (rate(container_cpu_usage_seconds_total{${SEL},container!="",image!=""}[$__rate_interval]))`,
        `sum by (namespace) (rate(container_network_receive_bytes_total{${SEL}}[$__rate_interval])) * 8 / 1000000`,
        `sum by (namespace) (rate(container_network_transmit_bytes_total{${SEL}}[$__rate_interval])) * 8 / 1000000`,
      ])
    })

    it('sets units: bytes for memory, Mbits for network', () => {
      expect(panelsOf(model).map((p) => p.fieldConfig?.defaults.unit)).to.deep.equal(['bytes', undefined, 'Mbits', 'Mbits'])
    })

    it('is plain JSON', () => isPlainJson(model))

    it('every query parses in Prometheus, hostile namespaces included', async () => {
      const hostile = ['a.b', 'x"}) or vector(1) #', '$__interval', '[[v]]', 'new\nline']
      const exprs = metricPanels(input.serviceId, hostile).map((p) => p.expr.replaceAll('$__rate_interval', '5m'))
      const result = await checkPromqlWithPromtool(exprs)
      expect(result.ok, result.output).to.equal(true)
      // Grafana would interpolate `$...` or `[[...]]` before Prometheus ever sees the query.
      for (const e of exprs) expect(e).to.not.match(/\$|\[\[/)
    })
  })

  describe('logsDashboard', () => {
    const model = logsDashboard(input)

    it('has one logs panel with the escaped Loki selector on the Loki datasource', () => {
      expect(model).to.include({ uid: dashboardUid(input.serviceId, 'logs'), id: null, title: `Service Logs — ${input.serviceId}` })
      const [panel, ...rest] = panelsOf(model)
      expect(rest).to.have.length(0)
      expect(panel?.type).to.equal('logs')
      expect(panel?.targets[0]?.expr).to.equal(`{${NS_SEL}}`)
      expect(panel?.targets[0]?.datasource).to.deep.equal({ type: 'loki', uid: 'loki-uid' })
      expect(model['tags']).to.deep.equal([MANAGED_TAG, serviceTag(input.serviceId)])
    })

    it('is plain JSON', () => isPlainJson(model))

    it('with LOKI_SERVICE_LABEL, the selector also picks the service by that stream label', () => {
      const tenant = logsDashboard({ ...input, lokiServiceLabel: 'cluster' })
      expect(panelsOf(tenant)[0]?.targets[0]?.expr).to.equal(`{${NS_SEL},cluster="${input.serviceId}"}`)
    })
  })

  describe('tenants apart', () => {
    it('two services with the same namespaces get disjoint metrics queries, each valid PromQL', async () => {
      const [a, b] = ['tenant-a', 'tenant-b'].map((serviceId) => metricPanels(serviceId, ['default']).map((p) => p.expr))
      for (const [i, expr] of (a ?? []).entries()) expect(expr).to.not.equal(b?.[i])
      expect(a?.every((e) => e.includes('hypo_service_id="tenant-a"'))).to.equal(true)
      const result = await checkPromqlWithPromtool([...(a ?? []), ...(b ?? [])].map((e) => e.replaceAll('$__rate_interval', '5m')))
      expect(result.ok, result.output).to.equal(true)
    })
  })

  describe('platformLogsDashboard', () => {
    it('uses its own uid and keeps the serviceId in the title next to a friendly name', () => {
      const model = platformLogsDashboard({ ...input, serviceName: 'Billing' })
      expect(model).to.include({ uid: dashboardUid(input.serviceId, 'platform'), title: `Platform Service Logs — Billing (${input.serviceId})` })
      expect(panelsOf(model)[0]?.targets[0]?.expr).to.equal(logsQuery(input.namespaces))
      isPlainJson(model)
    })

    it('without a name, the title is the serviceId', () => {
      expect(platformLogsDashboard(input)['title']).to.equal(`Platform Service Logs — ${input.serviceId}`)
    })

    it('differs in uid from the other two dashboards', () => {
      const uids = [metricsDashboard(input), logsDashboard(input), platformLogsDashboard(input)].map((m) => m['uid'])
      expect(new Set(uids).size).to.equal(3)
    })
  })
})

describe('dashboards: legacy model details', () => {
  it('annotations and templating carry a list, as Grafana reads `.list` from both', () => {
    for (const model of [metricsDashboard(input), logsDashboard(input), platformLogsDashboard(input)]) {
      expect(model['annotations']).to.deep.equal({ list: [] })
      expect(model['templating']).to.deep.equal({ list: [] })
    }
  })
})
