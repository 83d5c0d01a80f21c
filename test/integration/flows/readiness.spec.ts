/**
 * Cheap, honest health (issue #18 item 3): /readyz answers from the last results of background
 * checks, so probes cost no dependency call, never read the secret's data, and never wait on a
 * slow dependency; an outage still shows, with its reason.
 */
import { expect } from 'chai'
import { useHarness } from '../../support/harness-hooks.js'
import { ResultTopics } from '../../../src/codecs/topics.js'
import type { ReadinessFact } from '../../../src/runtime/readiness-checks.js'
import { recordFigures } from '../reliability/figures.js'
import { until } from '../../support/wait.js'

interface ReadyzBody {
  ready: boolean
  checks: Record<string, boolean>
  facts: Record<string, ReadinessFact>
}

describe('/readyz from background checks', function () {
  this.timeout(90_000)
  const SLOW_MS = 2000
  const ctx = useHarness({ harness: { env: { READINESS_FAST_INTERVAL: '500ms', READINESS_SLOW_INTERVAL: `${SLOW_MS}ms` } }, topics: [ResultTopics.create] })
  const readyz = async (): Promise<{ status: number; body: ReadyzBody; ms: number }> => {
    const started = Date.now()
    const url = ctx.harness.service?.http.url ?? ''
    const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(10_000) })
    return { status: response.status, body: (await response.json()) as ReadyzBody, ms: Date.now() - started }
  }

  before(async () => until(async () => (await readyz()).status === 200, '/readyz 200', { timeoutMs: 30_000 }))

  it('20 probes make no full read of the secret and at most one Kubernetes and one Grafana call per check interval', async () => {
    const { kube, grafana } = ctx.harness.stack
    const before = {
      full: kube.requests.get('secret.get') ?? 0,
      meta: kube.requests.get('secret.get-metadata') ?? 0,
      health: grafana.requests.get('health') ?? 0,
    }
    const started = Date.now()
    const answers = await Promise.all(Array.from({ length: 20 }, () => readyz()))
    const elapsed = Date.now() - started
    for (const answer of answers) expect(answer.status).to.equal(200)
    const facts = answers[0]?.body.facts ?? {}
    expect(Object.keys(facts).sort()).to.deep.equal(['grafana', 'kafka', 'kubernetes', 'redis'])
    expect(facts['kubernetes']?.reason).to.match(/resourceVersion \d+/)
    const calls = Math.ceil(elapsed / SLOW_MS) + 1
    const full = (kube.requests.get('secret.get') ?? 0) - before.full
    const meta = (kube.requests.get('secret.get-metadata') ?? 0) - before.meta
    const health = (grafana.requests.get('health') ?? 0) - before.health
    recordFigures({
      scenario: 'health: 20 concurrent GET /readyz (READINESS_SLOW_INTERVAL 2 s), then a hung Grafana and a 403 on the secret',
      requests: 20,
      faults: {},
      inputs: 0,
      lost: 0,
      duplicateJobs: 0,
      promtool: 'n/a',
      seconds: elapsed / 1000,
      notes: `all 200 in ${elapsed} ms; full secret reads ${full}, metadata-only reads ${meta}, Grafana health calls ${health} (before: 20 and 20); the outages show as 503 with their reason and never hold a probe (next tests)`,
    })
    expect((kube.requests.get('secret.get') ?? 0) - before.full, 'full secret reads').to.equal(0)
    expect((kube.requests.get('secret.get-metadata') ?? 0) - before.meta, 'metadata reads').to.be.at.most(calls)
    expect((grafana.requests.get('health') ?? 0) - before.health, 'Grafana health calls').to.be.at.most(calls)
  })

  it('a hung Grafana never holds a probe: /readyz answers at once and turns 503 with the reason, then recovers', async () => {
    const { grafana } = ctx.harness.stack
    grafana.faults.add({ kind: 'health', effect: { type: 'hang' } })
    try {
      await until(
        async () => {
          const answer = await readyz()
          expect(answer.ms, 'a probe never waits on the dependency').to.be.lessThan(1000)
          return answer.status === 503 && answer.body.facts['grafana']?.ok === false && /no answer within/.test(answer.body.facts['grafana'].reason)
        },
        'grafana not ready: no answer within',
        { timeoutMs: 20_000 },
      )
      const answer = await readyz()
      expect(answer.body.checks).to.include({ grafana: false, kafka: true, redis: true, kubernetes: true })
    } finally {
      grafana.faults.clear()
    }
    await until(async () => (await readyz()).status === 200, '/readyz 200', { timeoutMs: 20_000 })
  })

  it("a refused secret read shows as kubernetes not ready, with the apiserver's answer", async () => {
    const { kube } = ctx.harness.stack
    kube.faults.add({ kind: 'secret.get-metadata', effect: { type: 'status', status: 403 } })
    try {
      await until(
        async () => {
          const answer = await readyz()
          return answer.status === 503 && answer.body.facts['kubernetes']?.ok === false && /403/.test(answer.body.facts['kubernetes'].reason)
        },
        'kubernetes not ready: 403',
        { timeoutMs: 20_000 },
      )
    } finally {
      kube.faults.clear()
    }
    await until(async () => (await readyz()).status === 200, '/readyz 200', { timeoutMs: 20_000 })
  })

  it('/livez touches nothing', async () => {
    const { kube, grafana } = ctx.harness.stack
    const url = ctx.harness.service?.http.url ?? ''
    const before = [...kube.requests.values(), ...grafana.requests.values()].reduce((a, b) => a + b, 0)
    for (let i = 0; i < 20; i += 1) expect((await fetch(`${url}/livez`)).status).to.equal(200)
    const after = [...kube.requests.values(), ...grafana.requests.values()].reduce((a, b) => a + b, 0)
    // the background loops may run meanwhile: at most one round of each slow check
    expect(after - before).to.be.at.most(4)
  })
})
