/**
 * Oversized input end to end, with a producer in front of the service that enforces
 * `message.max.bytes` the way a broker does (the librdkafka mock may not): a 900 KB garbage record
 * and a create with a 600 KB kogitoprocinstanceid, in ONE batch of one partition between valid
 * creates. Each oversized one gets one dead letter within the broker's limit (and the create a
 * FAILURE), the valid ones are answered exactly once, nothing the service sends is refused, and the
 * partition moves on.
 */
import { expect } from 'chai'
import type { Producer } from 'kafkajs'
import { DEFAULT_DEAD_LETTER_TOPIC, RequestTopics, ResultTopics } from '../../../src/codecs/topics.js'
import { publish } from '../../support/kafka-helpers.js'
import { useHarness } from '../../support/harness-hooks.js'
import { limitedProducer } from '../../support/limited-producer.js'
import { createRequest, dataOf, json, jobNamesIn, resultOf } from '../../support/request-builders.js'
import { sleep } from '../../../dev/process-utils.js'
import { checkScrapeConfigsWithPromtool } from '../../support/promtool.js'
import { recordFigures } from '../reliability/figures.js'

const BROKER_LIMIT = 1_000_000

describe('oversized records end to end (a broker-like message.max.bytes)', function () {
  this.timeout(90_000)
  let broker: ReturnType<typeof limitedProducer> | undefined
  const ctx = useHarness({
    topics: [...Object.values(ResultTopics), DEFAULT_DEAD_LETTER_TOPIC],
    harness: { wrapProducer: (p: Producer) => (broker = limitedProducer(p, BROKER_LIMIT)) },
  })

  it('one dead letter / FAILURE each, the others answered exactly once, nothing refused, the partition moves on', async () => {
    const before = createRequest('svc-before-oversized', ['hypo-ok'])
    const after = createRequest('svc-after-oversized', ['hypo-ok'])
    const garbage = Buffer.alloc(900_000, 0x41)
    const bigKogito = { ...createRequest('svc-big-kogito', ['hypo-ok']), kogitoprocinstanceid: 'k'.repeat(600_000) }
    // the other limits at the door, in the same batch
    const longId = { ...createRequest('svc-long-id', ['hypo-ok']), id: 'i'.repeat(300) }
    const manyNamespaces = createRequest(
      'svc-many-ns',
      Array.from({ length: 100 }, (_, i) => `ns-${i}`),
    )
    const bigJob = createRequest(
      'svc-big-job',
      Array.from({ length: 40 }, (_, i) => `${'n'.repeat(249)}${String(i).padStart(4, '0')}`),
    )
    const overLimit = [
      { request: longId, reason: /CloudEvent id too large: 300 bytes .*MAX_CLOUDEVENT_ID_BYTES/ },
      { request: manyNamespaces, reason: /too many namespaces: 100 exceeds the limit of 64 \(MAX_NAMESPACES\)/ },
      { request: bigJob, reason: /scrape job too large: \d+ bytes exceeds the limit of 8192 bytes \(MAX_JOB_BYTES\)/ },
    ]
    const started = Date.now()
    // one key: one partition, one batch
    const key = 'oversized'
    await publish(RequestTopics.create, [
      { key, value: JSON.stringify(before) },
      { key, value: garbage },
      { key, value: JSON.stringify(bigKogito) },
      ...overLimit.map(({ request }) => ({ key, value: JSON.stringify(request) })),
      { key, value: JSON.stringify(after) },
    ])

    const letters = () => ctx.results.messages.filter((m) => m.topic === DEFAULT_DEAD_LETTER_TOPIC)
    const garbageLetter = await ctx.results.waitFor((m) => m.topic === DEFAULT_DEAD_LETTER_TOPIC && json(m)['valueBytes'] === garbage.length, 30_000)
    expect(json(garbageLetter)).to.include({ valueTruncated: true })
    expect(json(garbageLetter)['reason']).to.match(/^malformed JSON/)
    expect(garbageLetter.value?.length ?? Infinity).to.be.at.most(BROKER_LIMIT)

    const kogitoLetter = await ctx.results.waitFor((m) => m.topic === DEFAULT_DEAD_LETTER_TOPIC && json(m)['serviceId'] === 'svc-big-kogito', 30_000)
    expect(json(kogitoLetter)['reason']).to.match(/attribute kogitoprocinstanceid too large: 600000 bytes .*MAX_EXTENSION_ATTRIBUTE_BYTES/)
    const failure = await ctx.results.waitFor((m) => m.topic === ResultTopics.create && dataOf(m)['serviceId'] === 'svc-big-kogito', 30_000)
    expect(dataOf(failure)['dashboardDataOrderStatus']).to.equal('FAILURE')
    expect(failure.value?.length ?? Infinity).to.be.below(8_192)

    for (const { request, reason } of overLimit) {
      const answer = await ctx.results.waitFor((m) => m.topic === ResultTopics.create && dataOf(m)['serviceId'] === request.data.serviceId, 30_000)
      expect(dataOf(answer)['dashboardDataOrderStatus'], request.data.serviceId).to.equal('FAILURE')
      expect(String(dataOf(answer)['dashboardDataOrderMessage']), request.data.serviceId).to.match(reason)
    }

    expect(dataOf(await resultOf(ctx.results, before))['dashboardDataOrderStatus']).to.equal('SUCCESS')
    expect(dataOf(await resultOf(ctx.results, after))['dashboardDataOrderStatus']).to.equal('SUCCESS')

    // the partition moved on: a request published afterwards on it is answered too
    const later = createRequest('svc-later-oversized', ['hypo-ok'])
    await publish(RequestTopics.create, [{ key, value: JSON.stringify(later) }])
    expect(dataOf(await resultOf(ctx.results, later))['dashboardDataOrderStatus']).to.equal('SUCCESS')
    await sleep(1_500) // room for a repeat, if a batch were retried

    const answersFor = (serviceId: string) => ctx.results.messages.filter((m) => m.topic === ResultTopics.create && dataOf(m)['serviceId'] === serviceId).length
    const answerable = ['svc-before-oversized', 'svc-after-oversized', 'svc-big-kogito', 'svc-long-id', 'svc-many-ns', 'svc-big-job', 'svc-later-oversized']
    const counts = answerable.map(answersFor)
    const yaml = ctx.harness.stack.scrapeConfigs()
    const promtool = await checkScrapeConfigsWithPromtool(yaml ?? '')
    const jobs = jobNamesIn(yaml)
    recordFigures({
      scenario:
        'hostile sizes: 900 KB garbage, 600 KB kogitoprocinstanceid, 300-byte id, 100 namespaces, 10 KB job, in one batch between valid creates (broker-like message.max.bytes 1,000,000)',
      requests: answerable.length + 1,
      faults: { 'oversized inputs': 5 },
      inputs: 5,
      lost: counts.filter((n) => n === 0).length,
      duplicateJobs: jobs.length - new Set(jobs).size,
      promtool: promtool.ok ? 'pass' : 'FAIL',
      seconds: (Date.now() - started) / 1000,
      notes: `answered once: ${counts.filter((n) => n === 1).length}/${counts.length}; dead letters ${letters().length}, largest ${Math.max(...letters().map((m) => m.value?.length ?? 0))} bytes; broker refusals ${broker?.refusals() ?? -1}; secret and Grafana untouched by the rejected ones`,
    })
    expect(counts, answerable.join(',')).to.deep.equal(answerable.map(() => 1))
    expect(letters()).to.have.length(5)
    expect(broker?.refusals()).to.equal(0)
    expect(promtool.ok, promtool.output).to.equal(true)
    expect(jobs.sort()).to.deep.equal(['svc-after-oversized', 'svc-before-oversized', 'svc-later-oversized'])
    const dashboards = JSON.stringify(ctx.harness.stack.grafana.dashboards())
    for (const rejected of ['svc-big-kogito', 'svc-long-id', 'svc-many-ns', 'svc-big-job']) expect(dashboards.includes(rejected), rejected).to.equal(false)
  })
})

describe('a broker whose limit is lower than KAFKA_MAX_RECORD_BYTES says', function () {
  this.timeout(90_000)
  let broker: ReturnType<typeof limitedProducer> | undefined
  const ctx = useHarness({
    topics: [...Object.values(ResultTopics), DEFAULT_DEAD_LETTER_TOPIC],
    harness: { wrapProducer: (p: Producer) => (broker = limitedProducer(p, 200_000)) },
  })

  it("the refused dead letter is found by sending one at a time and replaced by a small one; the batch's other records go out once, the offset moves on", async () => {
    const before = createRequest('svc-before-refused', ['hypo-ok'])
    const garbage = Buffer.alloc(900_000, 0x42)
    const bad = {
      ...createRequest('svc-bad-port-refused'),
      data: { serviceId: 'svc-bad-port-refused', namespaces: ['a'], prometheus: { host: '10.0.0.1', port: 70000 } },
    }
    const key = 'refused'
    await publish(RequestTopics.create, [
      { key, value: JSON.stringify(before) },
      { key, value: garbage },
      { key, value: JSON.stringify(bad) },
    ])
    const letter = await ctx.results.waitFor(
      (m) => m.topic === DEFAULT_DEAD_LETTER_TOPIC && json(m)['valueBytes'] !== undefined && String(json(m)['reason']).startsWith('could not be sent'),
      30_000,
    )
    expect(json(letter)['reason']).to.match(/refused by the broker: .*larger than the max message size/)
    expect(letter.value?.length ?? Infinity).to.be.below(200_000)
    expect(dataOf(await resultOf(ctx.results, bad))['dashboardDataOrderStatus']).to.equal('FAILURE')
    expect(dataOf(await resultOf(ctx.results, before))['dashboardDataOrderStatus']).to.equal('SUCCESS')
    const later = createRequest('svc-later-refused', ['hypo-ok'])
    await publish(RequestTopics.create, [{ key, value: JSON.stringify(later) }])
    expect(dataOf(await resultOf(ctx.results, later))['dashboardDataOrderStatus']).to.equal('SUCCESS')
    await sleep(1_500)
    const answers = ctx.results.messages.filter((m) => m.topic === ResultTopics.create)
    expect(answers.map((m) => String(dataOf(m)['serviceId'])).sort()).to.deep.equal(['svc-bad-port-refused', 'svc-before-refused', 'svc-later-refused'])
    const counts = ['svc-bad-port-refused', 'svc-before-refused', 'svc-later-refused'].map((id) => answers.filter((m) => dataOf(m)['serviceId'] === id).length)
    recordFigures({
      scenario: "hostile sizes: a broker whose message.max.bytes (200,000) is below KAFKA_MAX_RECORD_BYTES refuses a 900 KB record's dead letter",
      requests: 3,
      faults: { 'broker refusals': broker?.refusals() ?? 0 },
      inputs: 1,
      lost: counts.filter((n) => n === 0).length,
      duplicateJobs: 0,
      promtool: 'n/a',
      seconds: 0,
      notes: `answered once: ${counts.filter((n) => n === 1).length}/${counts.length}; the refused dead letter replaced by one of ${letter.value?.length ?? 0} bytes; the partition moved on`,
    })
    expect(counts).to.deep.equal([1, 1, 1])
    expect(ctx.results.messages.filter((m) => m.topic === DEFAULT_DEAD_LETTER_TOPIC).map((m) => String(json(m)['reason']).slice(0, 20))).to.have.length(2)
    expect(broker?.refusals()).to.be.at.least(2)
  })
})
