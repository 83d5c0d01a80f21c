/**
 * Every query the service generates parses with the official grammars (@prometheus-io/lezer-promql,
 * @grafana/lezer-logql): the four metrics panels, the federation `match[]` selector, the logs and
 * platform logs queries, and the service's own dashboard and alert rules, for hostile serviceIds
 * and namespaces too (the codecs refuse these at the door; the quoting must not rely on it).
 */
import { readFileSync } from 'node:fs'
import { expect } from 'chai'
import { load } from '../../support/yaml.js'
import { logsDashboard, logsQuery, metricPanels, metricsDashboard, platformLogsDashboard } from '../../../src/effects/grafana/dashboards.js'
import { substituteGrafanaVariables } from '../../../src/effects/grafana/grafana-variables.js'
import { federationJob } from '../../../src/effects/prometheus/scrape-job.js'
import { logqlSyntaxErrors, promqlSyntaxErrors } from '../../support/query-grammar.js'

const HOSTILE = [
  'svc"quote',
  'back\\slash',
  'dollar$var',
  '${grafana}',
  '[[legacy]]',
  'bracket[0]',
  'ünïcødé-名前',
  'emoji-😀',
  'new\nline',
  'lone-\ud800',
  '"}) or vector(1) #',
  'a.b|c*',
]
const PLAIN = ['ecc4345a-2097-4c3b-a40c-a9e791cdccbb', 'NAMESPACE_1']

interface Target {
  readonly expr?: string
}
interface Panel {
  readonly targets?: readonly Target[]
  readonly panels?: readonly Panel[]
}
const exprsOf = (model: Readonly<Record<string, unknown>>): readonly string[] => {
  const panels = (model['panels'] ?? []) as readonly Panel[]
  const walk = (p: Panel): readonly string[] => [...(p.targets ?? []).flatMap((t) => (t.expr === undefined ? [] : [t.expr])), ...(p.panels ?? []).flatMap(walk)]
  return panels.flatMap(walk)
}

const input = (serviceId: string, namespaces: readonly string[], lokiServiceLabel?: string) => ({
  serviceId,
  namespaces,
  prometheusDatasourceUid: 'prometheus',
  lokiDatasourceUid: 'loki',
  lokiServiceLabel,
})

describe('generated queries parse with the official grammars', () => {
  it('the checker itself flags a broken query in both languages', () => {
    expect(promqlSyntaxErrors('sum(rate(x[5m])')).to.not.be.empty
    expect(promqlSyntaxErrors('x{a="unterminated}')).to.not.be.empty
    expect(logqlSyntaxErrors('{namespace=~"a"')).to.not.be.empty
    expect(logqlSyntaxErrors('namespace="a"')).to.not.be.empty
  })

  for (const serviceId of [...PLAIN, ...HOSTILE]) {
    const namespaces = [...PLAIN, ...HOSTILE]
    it(`metrics panels and the federation selector for serviceId ${JSON.stringify(serviceId)} (PromQL)`, () => {
      const exprs = [
        ...metricPanels(serviceId, namespaces).map((p) => p.expr),
        ...exprsOf(metricsDashboard(input(serviceId, namespaces))),
        ...federationJob({ serviceId, namespaces, host: '127.0.0.1', port: 9090 }).params['match[]'],
      ]
      expect(exprs).to.have.length(4 + 4 + 1)
      for (const expr of exprs) expect(promqlSyntaxErrors(substituteGrafanaVariables(expr)), expr).to.deep.equal([])
    })

    it(`logs and platform logs queries for serviceId ${JSON.stringify(serviceId)} (LogQL), with and without LOKI_SERVICE_LABEL`, () => {
      const exprs = [undefined, 'cluster'].flatMap((label) => [
        logsQuery(namespaces, label === undefined ? undefined : { serviceLabel: label, serviceId }),
        ...exprsOf(logsDashboard(input(serviceId, namespaces, label))),
        ...exprsOf(platformLogsDashboard({ ...input(serviceId, namespaces, label), serviceName: serviceId })),
      ])
      expect(exprs).to.have.length(6)
      for (const expr of exprs) expect(logqlSyntaxErrors(expr), expr).to.deep.equal([])
    })
  }

  it('one hostile namespace at a time, and none at all', () => {
    for (const namespaces of [[], ...HOSTILE.map((n) => [n])]) {
      for (const p of metricPanels('svc', namespaces)) expect(promqlSyntaxErrors(substituteGrafanaVariables(p.expr)), p.expr).to.deep.equal([])
      const logs = logsQuery(namespaces)
      expect(logqlSyntaxErrors(logs), logs).to.deep.equal([])
    }
  })

  it("the service's own dashboard (deploy/monitoring) and alert rules", () => {
    const dashboard = JSON.parse(readFileSync('deploy/monitoring/telemetry-client-dashboard.json', 'utf8')) as Record<string, unknown>
    const dashboardExprs = exprsOf(dashboard)
    const rules = load(readFileSync('deploy/monitoring/prometheusrule.yaml', 'utf8')) as {
      spec: { groups: ReadonlyArray<{ rules: ReadonlyArray<{ expr: string }> }> }
    }
    const ruleExprs = rules.spec.groups.flatMap((g) => g.rules.map((r) => String(r.expr)))
    expect(dashboardExprs).to.not.be.empty
    expect(ruleExprs).to.not.be.empty
    for (const expr of [...dashboardExprs, ...ruleExprs]) expect(promqlSyntaxErrors(substituteGrafanaVariables(expr)), expr).to.deep.equal([])
  })

  it("substitutes Grafana's interval variables in both spellings, and nothing else", () => {
    expect(
      substituteGrafanaVariables('rate(x[$__rate_interval]) + rate(y[${__rate_interval}]) + z[$__interval] + w[$__range]', { rateInterval: '20s' }),
    ).to.equal('rate(x[20s]) + rate(y[20s]) + z[20s] + w[1h]')
    expect(substituteGrafanaVariables('x{a="\\x24__rate_interval"}')).to.equal('x{a="\\x24__rate_interval"}')
  })
})
