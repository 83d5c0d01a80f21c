/**
 * Bounded answers (issue #18 item 4): the envelope's extension attributes have a limit together
 * (count and bytes), not only each; over it the request gets a small FAILURE result (and a dead
 * letter), not silence; a result echoes at most the bounded kogito* attributes, so it stays
 * within a few KB plus its data whatever the request.
 */
import { expect } from 'chai'
import { DEFAULT_DEAD_LETTER_TOPIC, RequestTopics, ResultTopics } from '../../../src/codecs/topics.js'
import { DEFAULT_REQUEST_LIMITS } from '../../../src/codecs/limits.js'
import { publish } from '../../support/kafka-helpers.js'
import { useHarness } from '../../support/harness-hooks.js'
import { createRequest, dataOf, envelopeOf, jobNamesIn, resultOf } from '../../support/request-builders.js'
import { recordCleanRun } from '../reliability/figures.js'

/** A few KB of fixed attributes plus the bounded echo; leaves room for a traceparent/tracestate. */
const RESULT_BUDGET = DEFAULT_REQUEST_LIMITS.maxExtensionAttributesBytes * 2 + 2048

const withAttributes = (serviceId: string, count: number, valueBytes: number) => ({
  ...createRequest(serviceId, ['hypo-ok']),
  ...Object.fromEntries(Array.from({ length: count }, (_, i) => [`kogitoextra${i}`, 'v'.repeat(valueBytes)])),
})

describe("bounded answers: the envelope's extension attributes together (Kafka → Redis → simulators → Kafka)", function () {
  this.timeout(90_000)
  const ctx = useHarness({ topics: [...Object.values(ResultTopics), DEFAULT_DEAD_LETTER_TOPIC] })

  it('900 small attributes, each within its limit: a small FAILURE result naming MAX_EXTENSION_ATTRIBUTES, a dead letter, nothing created', async () => {
    const many = withAttributes('svc-many-attributes', 900, 1000)
    const heavy = withAttributes('svc-heavy-attributes', 20, 300)
    const fine = withAttributes('svc-fine-attributes', 10, 100)
    const started = Date.now()
    await publish(
      RequestTopics.create,
      [many, heavy, fine].map((r) => ({ key: r.data.serviceId, value: JSON.stringify(r) })),
    )

    const manyAnswer = await resultOf(ctx.results, many)
    const heavyAnswer = await resultOf(ctx.results, heavy)
    const fineAnswer = await resultOf(ctx.results, fine)
    const dataBytes = Buffer.byteLength(JSON.stringify(dataOf(fineAnswer)))
    recordCleanRun(
      'bounded answers: a create with 900 extension attributes of 1 KB (each within MAX_EXTENSION_ATTRIBUTE_BYTES), one with 20 of 300 bytes, one with 10 of 100 bytes',
      started,
      {
        requests: 3,
        faults: {},
        inputs: 2,
        notes: `request of ${JSON.stringify(many).length} bytes answered by a FAILURE of ${manyAnswer.value?.length ?? 0} bytes (was 917 KB); 20×300 B: FAILURE of ${heavyAnswer.value?.length ?? 0} bytes; 10×100 B: ${String(dataOf(fineAnswer)['dashboardDataOrderStatus'])}, ${(fineAnswer.value?.length ?? 0) - dataBytes} bytes besides its data`,
      },
    )

    expect(dataOf(manyAnswer)).to.include({ dashboardDataOrderStatus: 'FAILURE' })
    expect(String(dataOf(manyAnswer)['dashboardDataOrderMessage'])).to.match(
      /too many extension attributes: 90\d exceeds the limit of 32 \(MAX_EXTENSION_ATTRIBUTES\)/,
    )
    expect(manyAnswer.value?.length ?? Infinity).to.be.below(RESULT_BUDGET)
    // still correlatable: SONATA's process instance gets its answer
    expect(envelopeOf(manyAnswer)['kogitoprocrefid']).to.equal(many.kogitoprocinstanceid)
    expect(dataOf(heavyAnswer)).to.include({ dashboardDataOrderStatus: 'FAILURE' })
    expect(String(dataOf(heavyAnswer)['dashboardDataOrderMessage'])).to.match(
      /extension attributes together too large: \d+ bytes exceeds the limit of 4096 bytes \(MAX_EXTENSION_ATTRIBUTES_BYTES\)/,
    )
    expect(heavyAnswer.value?.length ?? Infinity).to.be.below(RESULT_BUDGET)
    await ctx.results.waitFor((m) => m.topic === DEFAULT_DEAD_LETTER_TOPIC && String(m.value).includes('svc-many-attributes'), 30_000)

    // within the limits: SUCCESS, every kogito* attribute echoed, a few KB besides the data
    expect(dataOf(fineAnswer)).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    expect(envelopeOf(fineAnswer)['kogitoextra9']).to.equal('v'.repeat(100))
    expect((fineAnswer.value?.length ?? Infinity) - dataBytes).to.be.below(RESULT_BUDGET)

    const jobs = jobNamesIn(ctx.harness.stack.scrapeConfigs())
    expect(jobs).to.include('svc-fine-attributes')
    expect(jobs).not.to.include.members(['svc-many-attributes'])
    expect(jobs).not.to.include('svc-heavy-attributes')
  })
})
