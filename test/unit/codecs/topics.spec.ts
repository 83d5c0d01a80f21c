import { expect } from 'chai'
import { DEFAULT_DEAD_LETTER_TOPIC, requestKindOfTopic, RequestTopics, ResultTopics } from '../../../src/codecs/topics.js'

describe('codecs/topics', () => {
  it('names the six topics of the spec and the dead-letter topic', () => {
    expect(Object.values(RequestTopics)).to.deep.equal([
      'telemetry-create-prometheus-job-and-grafana-dashboard',
      'telemetry-platform-service',
      'telemetry-delete-prometheus-job-and-grafana-dashboard',
    ])
    expect(Object.values(ResultTopics)).to.deep.equal([
      'sonata-service-dashboard-result',
      'telemetry-platform-service-result',
      'sonata-service-delete-dashboard-result',
    ])
    expect(DEFAULT_DEAD_LETTER_TOPIC).to.equal('telemetry-dead-letter')
  })

  it('maps request topics to kinds and everything else to undefined', () => {
    expect(requestKindOfTopic('telemetry-create-prometheus-job-and-grafana-dashboard')).to.equal('create')
    expect(requestKindOfTopic('telemetry-platform-service')).to.equal('platform')
    expect(requestKindOfTopic('telemetry-delete-prometheus-job-and-grafana-dashboard')).to.equal('delete')
    for (const t of ['sonata-service-dashboard-result', 'create', 'toString', '__proto__', '']) expect(requestKindOfTopic(t)).to.be.undefined
  })
})
