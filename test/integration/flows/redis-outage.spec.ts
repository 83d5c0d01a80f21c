/**
 * Redis is the source of truth: without it at start the service refuses to run; losing it while
 * running makes the service not ready and pauses consumption (nothing is committed that is not
 * durable), and the work resumes when Redis returns.
 */
import { expect } from 'chai'
import { RequestTopics } from '../../../src/codecs/topics.js'
import { startRedisServer, type RedisServerHandle } from '../../../dev/redis-server.js'
import { freePort } from '../../../dev/free-port.js'
import { publish } from '../../support/kafka-helpers.js'
import { createRequest } from '../../support/request-builders.js'
import { spawnService } from '../../support/service-process.js'
import { sleep, until } from '../../support/wait.js'
import { useHarness } from '../../support/harness-hooks.js'

describe('Redis outages', function () {
  this.timeout(120_000)
  let redis: RedisServerHandle
  before(async () => {
    redis = await startRedisServer({ appendOnly: true })
  })
  // the service and the harness on this spec's own Redis, which the tests kill and restart
  const ctx = useHarness({ harness: () => ({ redisUrl: redis.url }), service: false })
  after(async () => {
    await redis?.stop()
  })

  it('refuses to start without Redis: a clear error and a non-zero exit', async () => {
    const closedPort = await freePort()
    const service = spawnService(ctx.harness.stack.env, { REDIS_URL: `redis://127.0.0.1:${closedPort}` })
    const status = await service.exited
    expect(status.code).to.equal(1)
    expect(service.logText()).to.match(new RegExp(`Redis is not reachable at 127\\.0\\.0\\.1:${closedPort}`))
  })

  it('loses Redis while running: /readyz goes false, nothing lost, the request completes and /readyz is true once Redis is back', async () => {
    const service = await ctx.harness.startService()
    const readyz = async () => (await fetch(`${service.http.url}/readyz`)).status
    await until(async () => (await readyz()) === 200, '/readyz 200', { timeoutMs: 20_000 })
    await redis.kill9()
    await until(async () => (await readyz()) === 503, '/readyz 503', { timeoutMs: 10_000 })
    const body = (await (await fetch(`${service.http.url}/readyz`)).json()) as { checks: Record<string, boolean> }
    expect(body.checks).to.include({ redis: false, kafka: true, kubernetes: true, grafana: true })
    const request = createRequest('svc-redis-outage')
    await publish(RequestTopics.create, [{ key: request.data.serviceId, value: JSON.stringify(request) }])
    await sleep(1500)
    expect(ctx.results.messages.some((m) => m.value?.toString().includes(request.kogitoprocinstanceid))).to.equal(false)
    await redis.restart()
    await until(async () => (await readyz()) === 200, '/readyz 200', { timeoutMs: 20_000 })
    const result = await ctx.results.waitFor((m) => m.value?.toString().includes(request.kogitoprocinstanceid) ?? false, 40_000)
    expect(JSON.parse(result.value?.toString() ?? '{}')).to.have.nested.property('data.dashboardDataOrderStatus', 'SUCCESS')
    // and /metrics counted it
    const metrics = await (await fetch(`${service.http.url}/metrics`)).text()
    expect(metrics).to.match(/telemetry_requests_total\{kind="create",status="SUCCESS"\} 1/)
    expect(await (await fetch(`${service.http.url}/livez`)).text()).to.be.a('string')
  })
})
