/**
 * deploy/monitoring stays true: the committed dashboard JSON is what the script builds, every
 * query names a metric the service exports, and every alert links a runbook anchor that exists.
 */
import { expect } from 'chai'
import { load } from '../../support/yaml.js'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { DASHBOARD_PATH, renderServiceDashboard } from '../../../scripts/monitoring-dashboard.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const read = (path: string): string => readFileSync(`${root}${path}`, 'utf8')

interface Rule {
  readonly alert: string
  readonly expr: string
  readonly annotations: Record<string, string>
}
interface PrometheusRule {
  readonly kind: string
  readonly spec: { readonly groups: ReadonlyArray<{ readonly rules: readonly Rule[] }> }
}

const exportedMetrics = (): Set<string> => new Set([...read('src/runtime/metrics.ts').matchAll(/name: '(telemetry_[a-z_]+)'/g)].map((m) => m[1] ?? ''))
const metricsIn = (expr: string): string[] => [...expr.matchAll(/telemetry_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''))

describe('deploy/monitoring', () => {
  it('the committed dashboard JSON equals what scripts/monitoring-dashboard.ts builds', () => {
    expect(readFileSync(DASHBOARD_PATH, 'utf8')).to.equal(renderServiceDashboard(), 'run: node --import=tsx scripts/monitoring-dashboard.ts')
  })

  it('the dashboard covers requests, steps, the secret, lanes, lag and dead letters with exported metrics only', () => {
    const text = readFileSync(DASHBOARD_PATH, 'utf8')
    const used = metricsIn(text)
    for (const metric of used) expect(exportedMetrics(), metric).to.include(metric)
    expect(new Set(used)).to.include.members([
      'telemetry_requests_total',
      'telemetry_step_duration_seconds',
      'telemetry_secret_writes_total',
      'telemetry_secret_bytes',
      'telemetry_secret_limit_bytes',
      'telemetry_open_lanes',
      'telemetry_consumer_lag',
      'telemetry_dead_letter_total',
    ])
  })

  it('every alert uses exported metrics and links a runbook anchor that exists', () => {
    const rule = load(read('deploy/monitoring/prometheusrule.yaml')) as PrometheusRule
    expect(rule.kind).to.equal('PrometheusRule')
    const rules = rule.spec.groups.flatMap((g) => g.rules)
    expect(rules.map((r) => r.alert)).to.have.members([
      'TelemetryClientNotConsuming',
      'TelemetryClientFailureRatioHigh',
      'TelemetryClientDeadLetters',
      'TelemetryClientSecretNearLimit',
      'TelemetryClientNotReady',
      'TelemetryClientConsumerRestarts',
    ])
    const runbook = read('docs/runbook.md')
    for (const r of rules) {
      for (const metric of metricsIn(r.expr)) expect(exportedMetrics(), `${r.alert}: ${metric}`).to.include(metric)
      const anchor = /docs\/runbook\.md#([a-z0-9-]+)$/.exec(r.annotations['runbook_url'] ?? '')?.[1]
      expect(anchor, r.alert).to.be.a('string')
      expect(runbook, `${r.alert}: anchor ${anchor ?? ''}`).to.include(`<a id="${anchor ?? ''}"></a>`)
    }
  })
})
