/**
 * Kafka's at-least-once delivery, end to end: a redelivered CloudEvent (same id) causes its side
 * effects once and is answered again with a byte-identical result, and requests for one service
 * are carried out and answered in the order they were published.
 */
import { expect } from 'chai'
import { ResultTopics } from '../../../src/codecs/topics.js'
import { dashboardUid } from '../../../src/effects/grafana/dashboard-uids.js'
import { type CollectedMessage } from '../../support/kafka-helpers.js'
import { checkScrapeConfigsWithPromtool } from '../../support/promtool.js'
import { useHarness } from '../../support/harness-hooks.js'
import { createRequest, dataOf, deleteRequest, json, jobsIn, publishRequests, resultOf, type SentRequest } from '../../support/request-builders.js'

describe('redelivery and per-service order end to end', function () {
  this.timeout(60_000)
  const ctx = useHarness()

  const answersTo = (request: SentRequest, count: number): Promise<CollectedMessage[]> =>
    ctx.results.waitForCount(count, (m) => json(m)['kogitoprocrefid'] === request.kogitoprocinstanceid, 30_000)
  const dashboardVersions = (serviceId: string) =>
    ctx.harness.stack.grafana
      .dashboards()
      .filter((d) => d.uid === dashboardUid(serviceId, 'metrics') || d.uid === dashboardUid(serviceId, 'logs'))
      .map((d) => `${d.uid}@${d.version}`)
      .sort()
  const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

  const expectOneSetOfEffects = async (request: SentRequest, publishTwice: () => Promise<void>) => {
    const writesBefore = ctx.harness.stack.kube.successfulWrites
    const upsertsBefore = ctx.harness.stack.grafana.requests.get('dashboard.upsert') ?? 0
    await publishTwice()
    const [first, second] = await answersTo(request, 2)
    if (first === undefined || second === undefined) throw new Error('two answers expected')
    expect(json(first)['id']).to.be.a('string').and.equal(json(second)['id'])
    expect(second.value?.equals(first.value ?? Buffer.alloc(0)), 'same bytes').to.equal(true)
    expect(second.topic).to.equal(first.topic)
    expect(dataOf(first)['dashboardDataOrderStatus']).to.equal('SUCCESS')
    const serviceId = String(request.data['serviceId'])
    expect(jobsIn(ctx.harness.stack.scrapeConfigs()).filter((j) => j.job_name === serviceId)).to.have.length(1)
    expect(ctx.harness.stack.kube.successfulWrites - writesBefore).to.equal(1)
    expect((ctx.harness.stack.grafana.requests.get('dashboard.upsert') ?? 0) - upsertsBefore).to.equal(2)
    // and no third copy trails behind
    await settle(500)
    expect(ctx.results.messages.filter((m) => json(m)['kogitoprocrefid'] === request.kogitoprocinstanceid)).to.have.length(2)
  }

  it('the same CloudEvent published twice back to back: one set of side effects, two identical results', async () => {
    const request = createRequest('svc-redelivered-now')
    await expectOneSetOfEffects(request, () => publishRequests([request, request]))
  })

  it('the same CloudEvent redelivered after it was answered: no side effect, the same result again', async () => {
    const request = createRequest('svc-redelivered-later')
    await expectOneSetOfEffects(request, async () => {
      await publishRequests([request])
      await resultOf(ctx.results, request)
      const versions = dashboardVersions('svc-redelivered-later')
      expect(versions).to.have.length(2)
      await publishRequests([request])
      await answersTo(request, 2)
      expect(dashboardVersions('svc-redelivered-later')).to.deep.equal(versions)
    })
  })

  /** Resolves once the service recorded `request` in its inbox (the service's log holds its RequestAccepted). */
  const accepted = async (serviceId: string, request: SentRequest): Promise<void> => {
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await settle(10)) {
      const events = (await ctx.harness.store.readEvents(serviceId)) ?? []
      if (events.some(({ event }) => event.type === 'RequestAccepted' && event.requestId === request.id)) return
    }
    throw new Error(`request ${request.id} was not accepted within 15 s`)
  }

  const orderedRequests = (serviceId: string): SentRequest[] => [
    createRequest(serviceId, ['ns-1']),
    deleteRequest(serviceId),
    createRequest(serviceId, ['ns-2']),
    deleteRequest(serviceId),
    createRequest(serviceId, ['ns-3']),
  ]

  const expectCarriedOutInOrder = async (serviceId: string, requests: readonly SentRequest[]) => {
    const procIds = requests.map((r) => r.kogitoprocinstanceid)
    const answers = await ctx.results.waitForCount(requests.length, (m) => procIds.includes(String(json(m)['kogitoprocrefid'])), 30_000)
    // Kafka orders records per partition only, so answers on two topics are compared by the order
    // the service recorded them in (its log) and by their `time`, not by when a consumer saw them.
    const events = (await ctx.harness.store.readEvents(serviceId)) ?? []
    const completed = events.flatMap(({ event }) => (event.type === 'RequestCompleted' ? [event.requestId] : []))
    expect(completed).to.deep.equal(requests.map((r) => r.id))
    const byRequest = requests.map((r) => answers.find((m) => json(m)['kogitoprocrefid'] === r.kogitoprocinstanceid))
    const times = byRequest.map((m) => String(m === undefined ? '' : json(m)['time']))
    expect(times).to.deep.equal([...times].sort())
    expect(byRequest.map((m) => m?.topic)).to.deep.equal([
      ResultTopics.create,
      ResultTopics.delete,
      ResultTopics.create,
      ResultTopics.delete,
      ResultTopics.create,
    ])
    for (const topic of [ResultTopics.create, ResultTopics.delete]) {
      const onTopic = answers.filter((m) => m.topic === topic)
      expect(
        onTopic.map((m) => json(m)['kogitoprocrefid']),
        `arrival order on ${topic}`,
      ).to.deep.equal(byRequest.filter((m) => m?.topic === topic).map((m) => (m === undefined ? '' : json(m)['kogitoprocrefid'])))
    }
    expect(byRequest.map((m) => (m === undefined ? '' : dataOf(m)['dashboardDataOrderStatus']))).to.deep.equal([
      'SUCCESS',
      'SUCCESS',
      'SUCCESS',
      'SUCCESS',
      'SUCCESS',
    ])
    // each delete found what the create before it had made
    for (const deleted of [byRequest[1], byRequest[3]]) {
      expect(deleted === undefined ? [] : dataOf(deleted)['deletedDashboardUids']).to.have.members([
        dashboardUid(serviceId, 'metrics'),
        dashboardUid(serviceId, 'logs'),
      ])
    }
    const job = jobsIn(ctx.harness.stack.scrapeConfigs()).filter((j) => j.job_name === serviceId)
    expect(job).to.have.length(1)
    expect((job[0]?.['params'] as Record<string, unknown>)['match[]']).to.deep.equal(['{namespace=~"ns-3"}'])
    expect(dashboardVersions(serviceId)).to.have.length(2)
    const promtool = await checkScrapeConfigsWithPromtool(ctx.harness.stack.scrapeConfigs() ?? '')
    expect(promtool.ok, promtool.output).to.equal(true)
    return events
  }

  it('create, delete, create, delete, create queued behind each other for one service: carried out and answered in that order', async () => {
    const serviceId = 'svc-ordered'
    const requests = orderedRequests(serviceId)
    // slow Grafana down so the whole sequence is queued while the first create is still in progress
    ctx.harness.stack.grafana.faults.add({ kind: 'dashboard.upsert', latencyMs: 250 })
    try {
      for (const request of requests) {
        await publishRequests([request])
        await accepted(serviceId, request)
      }
      const events = await expectCarriedOutInOrder(serviceId, requests)
      // the requests really waited in the service's queue: each was accepted while its predecessor was in progress
      const indexOf = (type: string, request: SentRequest) => events.findIndex(({ event }) => event.type === type && event.requestId === request.id)
      for (let i = 1; i < requests.length; i += 1) {
        const [previous, current] = [requests[i - 1], requests[i]] as [SentRequest, SentRequest]
        expect(indexOf('RequestAccepted', current), `request ${i} queued behind request ${i - 1}`).to.be.lessThan(indexOf('RequestCompleted', previous))
      }
    } finally {
      ctx.harness.stack.grafana.faults.clear()
    }
  })

  // Requests on different topics reach the service through different partitions, whose batches are
  // recorded in no particular order: the queue follows the Kafka record timestamp (publish time).
  it('create, delete, create, delete, create published back to back without waiting: carried out in publish order', async () => {
    const serviceId = 'svc-ordered-burst'
    const requests = orderedRequests(serviceId)
    await publishRequests(requests)
    await expectCarriedOutInOrder(serviceId, requests)
  })
})
