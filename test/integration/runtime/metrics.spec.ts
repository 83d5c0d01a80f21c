import { expect } from 'chai'
import { spawn } from 'node:child_process'
import { createMetrics, recordReceived, recordSecretBatch, SECRET_LIMIT_BYTES, STEPS, type Metrics } from '../../../src/runtime/metrics.js'

/** `promtool check metrics` (Prometheus' own parser and linter) on an exposition text. */
const promtoolCheckMetrics = (text: string): Promise<{ code: number | null; output: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, output }))
    child.stdin.end(text)
  })

/** The value of one sample line (`name{labels} value`) of the exposition text, or undefined. */
const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

/** The text holds exactly these sample values (series → value), compared as one map so a failure shows them all. */
const expectSamples = (text: string, expected: Readonly<Record<string, number>>): void => {
  expect(Object.fromEntries(Object.keys(expected).map((series) => [series, sample(text, series)]))).to.deep.equal(expected)
}

describe('runtime/metrics', () => {
  let lanes = 0
  let retries = new Map<string, number>()
  let metrics: Metrics

  beforeEach(() => {
    lanes = 0
    retries = new Map()
    metrics = createMetrics({ openLanes: () => lanes, grafanaRetries: () => retries })
  })

  it('uses its own registry, with the default process metrics', async () => {
    const { register } = await import('prom-client')
    const text = await metrics.registry.metrics()
    expect(text).to.include('process_cpu_seconds_total')
    expect(text).to.include('nodejs_eventloop_lag_seconds')
    expect(await register.metrics()).not.to.include('telemetry_requests_total')
    // a second instance does not collide on names
    expect(() => createMetrics({ openLanes: () => 0, grafanaRetries: () => new Map() })).not.to.throw()
  })

  it('exposes every request kind/status and step series from the start', async () => {
    const text = await metrics.registry.metrics()
    for (const kind of ['create', 'platform', 'delete']) {
      for (const status of ['SUCCESS', 'FAILURE']) expect(sample(text, `telemetry_requests_total{kind="${kind}",status="${status}"}`)).to.equal(0)
      expect(sample(text, `telemetry_request_duration_seconds_count{kind="${kind}"}`)).to.equal(0)
    }
    for (const step of STEPS) expect(sample(text, `telemetry_step_duration_seconds_count{step="${step}"}`)).to.equal(0)
  })

  it('counts requests and observes durations', async () => {
    metrics.requests.inc({ kind: 'create', status: 'SUCCESS' })
    metrics.requests.inc({ kind: 'create', status: 'SUCCESS' })
    metrics.stepDuration.observe({ step: 'registerJob' }, 0.02)
    metrics.requestDuration.observe({ kind: 'delete' }, 3)
    metrics.deadLetters.inc()
    const text = await metrics.registry.metrics()
    expectSamples(text, {
      'telemetry_requests_total{kind="create",status="SUCCESS"}': 2,
      'telemetry_step_duration_seconds_bucket{le="0.025",step="registerJob"}': 1,
      'telemetry_step_duration_seconds_bucket{le="0.01",step="registerJob"}': 0,
      'telemetry_request_duration_seconds_sum{kind="delete"}': 3,
      telemetry_dead_letter_total: 1,
    })
  })

  it('counts received requests by topic and inbox outcome, and consumer restarts', async () => {
    recordReceived(metrics, {
      topic: 'telemetry-platform-service',
      partition: 1,
      accepted: [
        { serviceId: 'a', outcome: 'accepted', version: 1 },
        { serviceId: 'a', outcome: 'redelivered', version: 1 },
        { serviceId: 'b', outcome: 'accepted', version: 1 },
      ],
      rejected: 2,
    })
    metrics.consumerRestarts.inc()
    const text = await metrics.registry.metrics()
    expectSamples(text, {
      'telemetry_requests_received_total{topic="telemetry-platform-service",outcome="accepted"}': 2,
      'telemetry_requests_received_total{topic="telemetry-platform-service",outcome="redelivered"}': 1,
      'telemetry_requests_received_total{topic="telemetry-platform-service",outcome="rejected"}': 2,
      telemetry_kafka_consumer_restarts_total: 1,
    })
  })

  it('reads open lanes and Grafana retries at scrape time', async () => {
    lanes = 7
    retries.set('dashboard.upsert', 3)
    let text = await metrics.registry.metrics()
    expectSamples(text, { telemetry_open_lanes: 7, 'telemetry_grafana_retries_total{operation="dashboard.upsert"}': 3 })
    // cumulative source: mirrored, not added up again on every scrape
    retries.set('dashboard.upsert', 5).set('dashboard.delete', 1)
    lanes = 2
    text = await metrics.registry.metrics()
    expectSamples(text, {
      'telemetry_grafana_retries_total{operation="dashboard.upsert"}': 5,
      'telemetry_grafana_retries_total{operation="dashboard.delete"}': 1,
      telemetry_open_lanes: 2,
    })
  })

  it('reports consumer lag per topic and partition, and the secret size against its limit', async () => {
    metrics.consumerLag.set({ topic: 'telemetry-platform-service', partition: '3' }, 12)
    let text = await metrics.registry.metrics()
    expectSamples(text, { 'telemetry_consumer_lag{topic="telemetry-platform-service",partition="3"}': 12, telemetry_secret_limit_bytes: SECRET_LIMIT_BYTES })
    expect(SECRET_LIMIT_BYTES).to.equal(1048576)

    recordSecretBatch(metrics, { edits: 4, written: true, attempts: 2, conflicts: 1, bytes: 2048 })
    recordSecretBatch(metrics, { edits: 1, written: false, attempts: 1, conflicts: 0, bytes: 2048 })
    text = await metrics.registry.metrics()
    expectSamples(text, {
      telemetry_secret_writes_total: 1,
      telemetry_secret_conflicts_total: 1,
      telemetry_secret_edits_per_write_sum: 4,
      telemetry_secret_edits_per_write_count: 1,
      telemetry_secret_bytes: 2048,
    })
  })

  it('renders text that promtool parses, with no lint finding on our metrics, HELP/TYPE for every family', async () => {
    metrics.consumerLag.set({ topic: 't', partition: '0' }, 1)
    const text = await metrics.registry.metrics()
    const checked = await promtoolCheckMetrics(text)
    // prom-client's own nodejs_active_*_total gauges draw lint warnings (exit 3); ours must not
    expect(checked.code, checked.output).to.be.oneOf([0, 3])
    expect(checked.output).not.to.match(/telemetry_|error/i)
    const families = [
      'telemetry_requests_total',
      'telemetry_step_duration_seconds',
      'telemetry_request_duration_seconds',
      'telemetry_secret_writes_total',
      'telemetry_secret_edits_per_write',
      'telemetry_secret_conflicts_total',
      'telemetry_grafana_retries_total',
      'telemetry_dead_letter_total',
      'telemetry_requests_received_total',
      'telemetry_kafka_consumer_restarts_total',
      'telemetry_open_lanes',
      'telemetry_consumer_lag',
      'telemetry_secret_bytes',
      'telemetry_secret_limit_bytes',
    ]
    for (const f of families) {
      expect(text, f).to.match(new RegExp(`^# HELP ${f} `, 'm'))
      expect(text, f).to.match(new RegExp(`^# TYPE ${f} (counter|gauge|histogram)$`, 'm'))
    }
  })
})
