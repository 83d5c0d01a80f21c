/**
 * One result per request id (issue #18 item 8): a request accepted and answered, redelivered
 * after a limit was tightened (the service restarted with a smaller MAX_EXTENSION_ATTRIBUTES),
 * is a redelivery: it gets no second, different answer (no FAILURE, no dead letter); any copy
 * sent again is the recorded one, byte for byte.
 */
import { expect } from 'chai'
import { Writable } from 'node:stream'
import { DEFAULT_DEAD_LETTER_TOPIC, RequestTopics, ResultTopics } from '../../../src/codecs/topics.js'
import { startService } from '../../../src/runtime/service.js'
import { createLogger } from '../../../src/support/logger.js'
import { FAST_CONSUMER_SETTINGS, publish } from '../../support/kafka-helpers.js'
import { useHarness } from '../../support/harness-hooks.js'
import { createRequest, dataOf, envelopeOf, resultOf } from '../../support/request-builders.js'
import { recordCleanRun } from '../reliability/figures.js'

const quiet = () => createLogger('error', new Writable({ write: (_chunk, _encoding, done) => done() }))

describe('one result per request id, also when a limit was tightened meanwhile (Kafka → Redis → simulators → Kafka)', function () {
  this.timeout(120_000)
  const ctx = useHarness({ topics: [...Object.values(ResultTopics), DEFAULT_DEAD_LETTER_TOPIC] })

  it('a redelivered, answered create over the new MAX_EXTENSION_ATTRIBUTES gets no second, different answer', async () => {
    const started = Date.now()
    const request = {
      ...createRequest('svc-answered-once', ['hypo-ok']),
      ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`kogitoextra${i}`, `v${i}`])),
    }
    const key = request.data.serviceId
    await publish(RequestTopics.create, [{ key, value: JSON.stringify(request) }])
    const first = await resultOf(ctx.results, request)
    expect(dataOf(first)).to.include({ dashboardDataOrderStatus: 'SUCCESS' })

    // the operator tightens the limit and restarts; Kafka then delivers the same record again
    await ctx.harness.stopService()
    const { config } = ctx.harness.stack
    const tightened = { ...config, service: { ...config.service, limits: { ...config.service.limits, maxExtensionAttributes: 5 } } }
    ctx.harness.service = await startService(tightened, { logger: quiet(), consumerTuning: FAST_CONSUMER_SETTINGS, sweepIntervalMs: 1000 })
    const sentinel = createRequest(key, ['hypo-ok'])
    await publish(RequestTopics.create, [
      { key, value: JSON.stringify(request) },
      { key, value: JSON.stringify(sentinel) },
    ])
    // the sentinel comes after the redelivery on the same partition and in the same lane
    expect(dataOf(await resultOf(ctx.results, sentinel))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })

    const answers = ctx.results.messages.filter((m) => m.topic === ResultTopics.create && envelopeOf(m)['kogitoprocrefid'] === request.kogitoprocinstanceid)
    const letters = ctx.results.messages.filter((m) => m.topic === DEFAULT_DEAD_LETTER_TOPIC && String(m.value).includes(request.id))
    const different = answers.filter((m) => String(m.value) !== String(first.value))
    recordCleanRun('one result per request id: an answered create redelivered after MAX_EXTENSION_ATTRIBUTES was tightened from 32 to 5', started, {
      requests: 2,
      faults: { 'redelivery after a tightened limit': 1 },
      inputs: 0,
      notes: `answers for its request id: ${answers.length} (different from the first: ${different.length}); dead letters: ${letters.length}`,
    })
    expect(different.map((m) => dataOf(m)['dashboardDataOrderMessage'])).to.deep.equal([])
    expect(letters).to.have.length(0)
  })
})
