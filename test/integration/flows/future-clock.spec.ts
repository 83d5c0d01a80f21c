import { expect } from 'chai'
import { Partitioners } from 'kafkajs'
import { RequestTopics } from '../../../src/codecs/topics.js'
import { useHarness } from '../../support/harness-hooks.js'
import { testKafka } from '../../support/kafka-helpers.js'
import { createRequest, dataOf, deleteRequest, jobNamesIn, resultOf, type SentRequest } from '../../support/request-builders.js'
import { recordCleanRun } from '../reliability/figures.js'

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000

/** One request with the Kafka record timestamp a producer with this clock would set. */
const publishAt = async (request: SentRequest, timestampMs: number): Promise<void> => {
  const producer = testKafka().producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  try {
    await producer.send({
      topic: request.type,
      messages: [{ key: String(request.data['serviceId']), value: JSON.stringify(request), timestamp: String(timestampMs) }],
    })
  } finally {
    await producer.disconnect()
  }
}

describe('a producer clock 10 years ahead (Kafka → Redis → simulators → Kafka)', function () {
  this.timeout(90_000)
  const ctx = useHarness()

  it('a create stamped 10 years ahead succeeds, and a delete published after it still deletes the service: SUCCESS, not Superseded', async () => {
    const started = Date.now()
    const serviceId = 'future-clock-svc'
    const create = createRequest(serviceId)
    await publishAt(create, Date.now() + TEN_YEARS_MS)
    expect(dataOf(await resultOf(ctx.results, create))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    expect(jobNamesIn(ctx.harness.stack.scrapeConfigs())).to.include(serviceId)

    const remove = deleteRequest(serviceId)
    expect(remove.type).to.equal(RequestTopics.delete)
    await publishAt(remove, Date.now())
    const data = dataOf(await resultOf(ctx.results, remove))
    recordCleanRun('hostile clock: a create whose Kafka timestamp is 10 years ahead, then a delete published now', started, {
      requests: 2,
      faults: { 'future record timestamp': 1 },
      inputs: 1,
      notes: `create SUCCESS; delete ${String(data['dashboardDataOrderStatus'])}${/Superseded/.test(String(data['dashboardDataOrderMessage'])) ? ' (Superseded!)' : ''}; job and dashboards gone: ${String(!jobNamesIn(ctx.harness.stack.scrapeConfigs()).includes(serviceId))}`,
    })
    expect(data['dashboardDataOrderMessage']).not.to.match(/Superseded/)
    expect(data).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    expect(jobNamesIn(ctx.harness.stack.scrapeConfigs())).not.to.include(serviceId)
    expect(ctx.harness.stack.grafana.dashboards().filter((d) => JSON.stringify(d.model).includes(serviceId))).to.deep.equal([])
  })
})
