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
    // one key: one partition, one batch
    const key = 'oversized'
    await publish(RequestTopics.create, [
      { key, value: JSON.stringify(before) },
      { key, value: garbage },
      { key, value: JSON.stringify(bigKogito) },
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

    expect(dataOf(await resultOf(ctx.results, before))['dashboardDataOrderStatus']).to.equal('SUCCESS')
    expect(dataOf(await resultOf(ctx.results, after))['dashboardDataOrderStatus']).to.equal('SUCCESS')

    // the partition moved on: a request published afterwards on it is answered too
    const later = createRequest('svc-later-oversized', ['hypo-ok'])
    await publish(RequestTopics.create, [{ key, value: JSON.stringify(later) }])
    expect(dataOf(await resultOf(ctx.results, later))['dashboardDataOrderStatus']).to.equal('SUCCESS')
    await sleep(1_500) // room for a repeat, if a batch were retried

    const answersFor = (serviceId: string) => ctx.results.messages.filter((m) => m.topic === ResultTopics.create && dataOf(m)['serviceId'] === serviceId).length
    for (const serviceId of ['svc-before-oversized', 'svc-after-oversized', 'svc-big-kogito', 'svc-later-oversized']) expect(answersFor(serviceId), serviceId).to.equal(1)
    expect(letters()).to.have.length(2)
    expect(broker?.refusals()).to.equal(0)
    expect(jobNamesIn(ctx.harness.stack.scrapeConfigs()).sort()).to.deep.equal(['svc-after-oversized', 'svc-before-oversized', 'svc-later-oversized'])
    expect(ctx.harness.stack.grafana.dashboards().some((d) => JSON.stringify(d).includes('svc-big-kogito'))).to.equal(false)
  })
})

describe('a broker whose limit is lower than KAFKA_MAX_RECORD_BYTES says', function () {
  this.timeout(90_000)
  let broker: ReturnType<typeof limitedProducer> | undefined
  const ctx = useHarness({
    topics: [...Object.values(ResultTopics), DEFAULT_DEAD_LETTER_TOPIC],
    harness: { wrapProducer: (p: Producer) => (broker = limitedProducer(p, 200_000)) },
  })

  it('the refused dead letter is found by sending one at a time and replaced by a small one; the batch\'s other records go out once, the offset moves on', async () => {
    const before = createRequest('svc-before-refused', ['hypo-ok'])
    const garbage = Buffer.alloc(900_000, 0x42)
    const bad = { ...createRequest('svc-bad-port-refused'), data: { serviceId: 'svc-bad-port-refused', namespaces: ['a'], prometheus: { host: '10.0.0.1', port: 70000 } } }
    const key = 'refused'
    await publish(RequestTopics.create, [
      { key, value: JSON.stringify(before) },
      { key, value: garbage },
      { key, value: JSON.stringify(bad) },
    ])
    const letter = await ctx.results.waitFor((m) => m.topic === DEFAULT_DEAD_LETTER_TOPIC && json(m)['valueBytes'] !== undefined && String(json(m)['reason']).startsWith('could not be sent'), 30_000)
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
    expect(ctx.results.messages.filter((m) => m.topic === DEFAULT_DEAD_LETTER_TOPIC).map((m) => String(json(m)['reason']).slice(0, 20))).to.have.length(2)
    expect(broker?.refusals()).to.be.at.least(2)
  })
})
