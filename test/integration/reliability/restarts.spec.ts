/**
 * Infrastructure dying under the service mid-run, with hundreds of requests in flight:
 * - Redis (AOF, fsync always) killed with SIGKILL and restarted a second later: ingest retries,
 *   the sweep re-wakes the lanes, nothing accepted is lost;
 * - a second replica joining (rebalance) and then the first one's consumer dying with SIGKILL
 *   (its partitions move after the session timeout): every request still has one outcome;
 * - the only replica killed with SIGKILL and restarted: it resumes from Redis and the offsets.
 * Results may be re-sent after a crash, but every copy must be byte-identical.
 */
import { expect } from 'chai'
import { startRedisServer, type RedisServerHandle } from '../../../dev/redis-server.js'
import { type ResultCollector } from '../../support/kafka-helpers.js'
import { resultsByRef } from '../../support/invariants.js'
import { spawnService, type ServiceProcess } from '../../support/service-process.js'
import { answered, awaitAnswered, sleep } from '../../support/wait.js'
import { awaitOutcomes, endStateOf, finishScenario, mixedChains, runChains, type SentRequest } from './scenario.js'
import { useHarness } from '../../support/harness-hooks.js'

const duplicateCopies = (results: ResultCollector, requests: readonly SentRequest[]): number => {
  const byRef = resultsByRef(results.messages)
  return requests.reduce((n, r) => n + Math.max(0, (byRef.get(r.kogitoprocinstanceid)?.length ?? 0) - 1), 0)
}

describe('reliability: Redis restart mid-run (in-process service, dedicated AOF Redis)', function () {
  this.timeout(120_000)
  let redis: RedisServerHandle
  let previousRedisUrl: string | undefined

  before(async () => {
    previousRedisUrl = process.env['TEST_REDIS_URL']
    redis = await startRedisServer({ appendOnly: true })
    process.env['TEST_REDIS_URL'] = redis.url
  })
  const ctx = useHarness()
  after(async () => {
    await redis?.stop()
    if (previousRedisUrl === undefined) delete process.env['TEST_REDIS_URL']
    else process.env['TEST_REDIS_URL'] = previousRedisUrl
  })

  it('kill -9 of Redis while 250 requests are in flight, restart after 1.5 s: nothing lost, exact end state', async () => {
    const startedAt = Date.now()
    ctx.harness.stack.grafana.faults.add({ kind: 'dashboard.upsert', latencyMs: 30 })
    const chains = mixedChains('rr', 200, { deleteEvery: 4, recreateEvery: 8 })
    const requests = chains.flat()
    const published = runChains(ctx.results, chains)
    await awaitAnswered(ctx.results, requests, { count: 40 })
    await redis.kill9()
    const answeredAtKill = answered(ctx.results, requests)
    await sleep(1500)
    await redis.restart()
    await published
    await awaitOutcomes(ctx.results, requests, 90_000)
    ctx.harness.stack.grafana.faults.clear()
    await finishScenario(
      'Redis kill -9 (AOF) + restart mid-run',
      {
        ...endStateOf(ctx, requests),
        expectStatus: () => 'SUCCESS',
      },
      {
        startedAt,
        faults: { 'redis:kill -9': 1 },
        notes: `${answeredAtKill} answered before the kill; ${duplicateCopies(ctx.results, requests)} identical re-sent copies`,
      },
    )
  })
})

describe('reliability: replicas crashing (real processes)', function () {
  this.timeout(180_000)
  const running: ServiceProcess[] = []
  const ctx = useHarness({ service: false })
  const spawn = (): ServiceProcess => {
    const p = spawnService(ctx.harness.stack.env)
    running.push(p)
    return p
  }

  /** One replica up, Grafana's upserts slowed by `latencyMs`, 250 services' chains on their way until `answered` have a result. */
  const replicaUnderLoad = async (prefix: string, latencyMs: number, answeredBefore: number) => {
    ctx.harness.stack.grafana.faults.add({ kind: 'dashboard.upsert', latencyMs })
    const replica = spawn()
    await replica.started
    const chains = mixedChains(prefix, 250, { deleteEvery: 5, recreateEvery: 10 })
    const requests = chains.flat()
    const published = runChains(ctx.results, chains)
    await awaitAnswered(ctx.results, requests, { count: answeredBefore })
    return { replica, requests, published }
  }

  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.stop('SIGKILL', 1000)))
    ctx.harness.stack.grafana.faults.clear()
  })

  it('a second replica joins (rebalance), then the first is killed -9 (consumer crash): every request answered once in effect', async () => {
    const startedAt = Date.now()
    // slow enough that the burst is still being worked on when the second replica joins and the first dies
    const { replica: first, requests, published } = await replicaUnderLoad('rb', 250, 30)
    const second = spawn()
    await second.started
    await awaitAnswered(ctx.results, requests, { count: Math.min(requests.length, answered(ctx.results, requests) + 20) })
    first.process.child.kill('SIGKILL')
    const status = await first.exited
    expect(status.signal).to.equal('SIGKILL')
    const answeredAtKill = answered(ctx.results, requests)
    await published
    await awaitOutcomes(ctx.results, requests, 120_000)
    await finishScenario(
      'Kafka rebalance (2nd replica joins) + consumer crash (kill -9 of the 1st)',
      {
        ...endStateOf(ctx, requests),
        expectStatus: () => 'SUCCESS',
      },
      {
        startedAt,
        faults: { 'process:kill -9': 1, 'kafka:rebalance': 2 },
        notes: `${answeredAtKill} answered at the kill; ${duplicateCopies(ctx.results, requests)} identical re-sent copies`,
      },
    )
  })

  it('the only replica killed -9 mid-run and restarted: resumes, exact end state', async () => {
    const startedAt = Date.now()
    const { replica: doomed, requests, published } = await replicaUnderLoad('sk', 40, 60)
    doomed.process.child.kill('SIGKILL')
    await doomed.exited
    const answeredAtKill = answered(ctx.results, requests)
    const survivor = spawn()
    await survivor.started
    await published
    await awaitOutcomes(ctx.results, requests, 120_000)
    await finishScenario(
      'service kill -9 + restart mid-run',
      {
        ...endStateOf(ctx, requests),
        expectStatus: () => 'SUCCESS',
        ignoreJob: (n) => !n.startsWith('sk-'),
      },
      {
        startedAt,
        faults: { 'process:kill -9': 1 },
        notes: `${answeredAtKill} answered before the kill; ${duplicateCopies(ctx.results, requests)} identical re-sent copies`,
      },
    )
    expect(answeredAtKill).to.be.lessThan(requests.length)
  })
})
