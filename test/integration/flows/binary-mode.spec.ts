/**
 * CloudEvents binary content mode end to end: a request whose attributes travel as `ce_*` record
 * headers (the kogito* extensions too) and whose value is the data alone is carried out like its
 * structured twin, and answered in structured mode, correlated by kogitoprocrefid.
 */
import { expect } from 'chai'
import { ResultTopics } from '../../../src/codecs/topics.js'
import { dashboardUid } from '../../../src/effects/grafana/dashboard-uids.js'
import { publish } from '../../support/kafka-helpers.js'
import { useHarness } from '../../support/harness-hooks.js'
import { createRequest, envelopeOf, resultOf, type SentRequest } from '../../support/request-builders.js'

/** The binding's binary mode: every attribute but data as a `ce_` header, content-type, data as the value. */
const binaryRecord = (request: SentRequest & Record<string, unknown>) => {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  for (const [name, value] of Object.entries(request)) if (name !== 'data') headers[`ce_${name}`] = String(value)
  return { key: String(request.data['serviceId']), value: JSON.stringify(request.data), headers }
}

describe('CloudEvents binary mode end to end', function () {
  this.timeout(60_000)
  const ctx = useHarness()

  it('a binary-mode create registers the job and the dashboards and is answered in structured mode', async () => {
    const request = createRequest('svc-binary', ['ns-binary'])
    await publish(request.type, [binaryRecord(request)])
    const answer = await resultOf(ctx.results, request)
    expect(answer.topic).to.equal(ResultTopics.create)
    const envelope = envelopeOf(answer)
    expect(envelope).to.include({
      specversion: '1.0',
      type: ResultTopics.create,
      kogitoprocrefid: request.kogitoprocinstanceid,
      kogitoprocid: 'serviceTelemetryProcess',
    })
    expect(envelope.data).to.include({ serviceId: 'svc-binary', dashboardDataOrderStatus: 'SUCCESS', dashboardId: dashboardUid('svc-binary', 'metrics') })
    expect(ctx.harness.stack.scrapeConfigs()).to.include('job_name: svc-binary')
    expect(ctx.harness.stack.grafana.dashboards().map((d) => d.uid)).to.include.members([
      dashboardUid('svc-binary', 'metrics'),
      dashboardUid('svc-binary', 'logs'),
    ])
  })

  it('a binary-mode record with a hostile header is rejected with a FAILURE correlated by its ce_ headers', async () => {
    const request = createRequest('svc-binary-hostile')
    const record = binaryRecord(request)
    await publish(request.type, [{ ...record, headers: { ...record.headers, ce_kogitoprocid: 'x'.repeat(5000) } }])
    const envelope = envelopeOf(await resultOf(ctx.results, request))
    expect(envelope.data).to.include({ dashboardDataOrderStatus: 'FAILURE' })
    expect(String(envelope.data['dashboardDataOrderMessage'])).to.match(/invalid binary-mode CloudEvent: header "ce_kogitoprocid" too long/)
  })
})
