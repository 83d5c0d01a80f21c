import { expect } from 'chai'
import { formatInspection, inspectionJson, inspectService } from '../../../../src/ops/log/inspect.js'
import { factsOf, formatTimeline, timelineOf } from '../../../../src/ops/log/timeline.js'
import { serviceKeys } from '../../../../src/state/store/redis-keys.js'
import { createdOutcomes, useFixtureLogs } from '../../../support/log-fixture.js'
import { CREATE_EVENT_TYPES } from '../../../fixtures/events.js'

describe('ops/inspect and ops/timeline', () => {
  const fixture = useFixtureLogs()

  it('folds the whole log and lists every event on the timeline', async () => {
    const inspection = await inspectService(fixture.store, 'svc-active')
    expect(inspection?.state).to.include({ status: 'active', version: 6 })
    // the job keeps the create it was rendered from (what an undo of a later failed update restores)
    expect(inspection?.state.job).to.deep.equal({
      jobName: 'svc-active',
      fingerprint: 'f00d',
      payload: { serviceId: 'svc-active', namespaces: ['NAMESPACE_1', 'NAMESPACE_2'], prometheus: { host: '10.10.10.4', port: 30180 } },
    })
    expect(inspection?.snapshot).to.equal('identical')
    expect(inspection?.timeline.map((e) => e.type)).to.deep.equal(CREATE_EVENT_TYPES)
    expect(inspection?.timeline[0]).to.deep.include({
      version: 1,
      requestId: 'req-a1',
      facts: 'create namespaces=NAMESPACE_1,NAMESPACE_2 prometheus=10.10.10.4:30180 from topic/0/1',
    })
  })

  it('human output: status, job, dashboards, pending and the history', async () => {
    const text = formatInspection((await inspectService(fixture.store, 'svc-active'))!)
    expect(text).to.contain('Service svc-active')
    expect(text).to.contain('status:       active (version 6, last change 2024-11-01T10:00:05.000Z)')
    expect(text).to.contain('job:          svc-active (fingerprint f00d)')
    expect(text).to.match(/metrics\s+tcm-svc-active v1 \/d\/tcm-svc-active\/m/)
    expect(text).to.contain('pending:      none')
    expect(text).to.contain('History (6 events):')
    expect(text).to.match(/v6 {2}2024-11-01T10:00:05.000Z {2}ResultPublished\s+req-a1\s+result res-req-a1/)
  })

  it('a service with an accepted request shows it pending and its snapshot missing', async () => {
    const inspection = (await inspectService(fixture.store, 'svc-new'))!
    expect(inspection.snapshot).to.equal('missing')
    expect(formatInspection(inspection)).to.match(/pending: {6}1\. create req-n1 accepted 2024-11-01T10:00:30.000Z/)
  })

  it('--json shape carries the full state and the timeline; an unknown service is undefined', async () => {
    const json = inspectionJson((await inspectService(fixture.store, 'svc-gone'))!)
    expect(json.state.status).to.equal('deleted')
    expect(json.timeline).to.have.length(11)
    expect(JSON.parse(JSON.stringify(json))).to.deep.equal(json)
    expect(await inspectService(fixture.store, 'nope')).to.equal(undefined)
  })

  it('reports a snapshot that disagrees with the log', async () => {
    const key = serviceKeys(fixture.prefix, 'svc-active').snapshot
    const original = (await fixture.redis.get(key))!
    await fixture.redis.set(key, original.replace('"active"', '"failed"'))
    expect((await inspectService(fixture.store, 'svc-active'))?.snapshot).to.equal('differs')
    await fixture.redis.set(key, original)
  })

  it('timeline facts name what each event did', () => {
    const [registered, , , completed] = createdOutcomes('s', 'r', 0)
    expect(factsOf(registered!)).to.equal('job s fingerprint f00d')
    expect(factsOf(completed!)).to.equal('SUCCESS result res-r → sonata-service-dashboard-result')
    expect(factsOf({ v: 1, requestId: 'r', at: 'x', type: 'StepFailed', step: 'registerJob', reason: 'HTTP 403', retryable: false })).to.equal(
      'registerJob: HTTP 403',
    )
    const lines = formatTimeline(timelineOf(createdOutcomes('s', 'r', 0).map((event, i) => ({ version: i + 1, event })))).split('\n')
    expect(lines).to.have.length(5)
  })
})
