/**
 * SIGTERM/SIGINT on a real process: stop fetching, finish or park in-flight work, commit, exit 0;
 * whatever was accepted but not finished is resumed by the next start. A second signal exits now.
 */
import { expect } from 'chai'
import { load } from 'js-yaml'
import { RequestTopics, ResultTopics } from '../../src/codecs/topics.js'
import { publish, resultCollector, type CollectedMessage, type ResultCollector } from '../support/kafka-helpers.js'
import { createRequest } from './request-builders.js'
import { startHarness, type Harness } from '../support/service-harness.js'
import { spawnService } from '../support/service-process.js'


const refOf = (m: CollectedMessage) => (JSON.parse(m.value?.toString('utf8') ?? '{}') as { kogitoprocrefid?: string }).kogitoprocrefid

describe('graceful shutdown of the real process', function () {
  this.timeout(180_000)
  let harness: Harness
  let results: ResultCollector

  before(async () => {
    harness = await startHarness()
    results = await resultCollector(Object.values(ResultTopics))
  })
  after(async () => {
    await results?.stop()
    await harness?.stop()
  })

  it('a SIGTERM during a burst of 200 requests loses none: all results arrive after the restart', async () => {
    // slow Grafana so the burst is still in flight when the signal arrives (the service saves at
    // most GRAFANA_MAX_CONCURRENCY dashboards at once: 400 saves x 300 ms / 32 ≈ 4 s of work)
    harness.stack.grafana.faults.add({ kind: 'dashboard.upsert', latencyMs: 300 })
    const first = spawnService(harness.stack.env, { SHUTDOWN_GRACE_MS: '2000' })
    await first.started
    const requests = Array.from({ length: 200 }, (_, i) => createRequest(`sigterm-${i}`))
    await publish(RequestTopics.create, requests.map((r) => ({ key: r.data.serviceId, value: JSON.stringify(r) })))
    await results.waitFor((m) => requests.some((r) => r.kogitoprocinstanceid === refOf(m)), 30_000)
    first.process.child.kill('SIGTERM')
    const status = await first.exited
    expect(status, first.logText().slice(-2000)).to.deep.equal({ code: 0, signal: null })
    const doneBeforeRestart = new Set(results.messages.map(refOf))
    expect(requests.filter((r) => doneBeforeRestart.has(r.kogitoprocinstanceid)).length, 'some were still in flight at the signal').to.be.lessThan(200)

    harness.stack.grafana.faults.clear()
    const second = spawnService(harness.stack.env)
    try {
      await second.started
      // every request answered (a result may be re-sent: count distinct requests)
      await Promise.all(requests.map((r) => results.waitFor((m) => refOf(m) === r.kogitoprocinstanceid, 60_000)))
    } finally {
      await second.stop()
    }
    const jobs = (load(harness.stack.scrapeConfigs() ?? '') ?? []) as Array<{ job_name: string }>
    const names = new Set(jobs.map((j) => j.job_name))
    expect(requests.every((r) => names.has(r.data.serviceId))).to.equal(true)
    expect(names.size).to.equal(jobs.length)
  })

  it('a second signal exits at once', async () => {
    harness.stack.grafana.faults.add({ kind: 'dashboard.upsert', latencyMs: 8000 })
    const service = spawnService(harness.stack.env, { SHUTDOWN_GRACE_MS: '60000' })
    try {
      await service.started
      const requests = Array.from({ length: 20 }, (_, i) => createRequest(`second-signal-${i}`))
      await publish(RequestTopics.create, requests.map((r) => ({ key: r.data.serviceId, value: JSON.stringify(r) })))
      // wait until the service has the requests in hand (their jobs are registered), then signal twice
      await new Promise((r) => setTimeout(r, 4000))
      expect(harness.stack.kube.successfulWrites, 'the burst reached the service').to.be.greaterThan(0)
      const t0 = Date.now()
      service.process.child.kill('SIGTERM')
      await new Promise((r) => setTimeout(r, 200))
      service.process.child.kill('SIGINT')
      const status = await service.exited
      expect(Date.now() - t0).to.be.lessThan(5000)
      expect(status.code).to.equal(1)
    } finally {
      harness.stack.grafana.faults.clear()
      await service.stop('SIGKILL')
    }
  })
})
