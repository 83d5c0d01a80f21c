/**
 * The pure verdicts each door's doctor probe gives on what it read: no servers here.
 */
import { expect } from 'chai'
import { datasourceCheck, folderCheck } from '../../../src/effects/grafana/grafana-doctor-probe.js'
import { capacityCheck, SECRET_LIMIT_BYTES, typicalJobBytes } from '../../../src/effects/kube/kube-doctor-probe.js'
import { clusterCheck, settingChecks } from '../../../src/state/store/doctor-probe.js'
import { topicChecks } from '../../../src/streams/kafka/doctor-probe.js'
import type { DoctorCheck } from '../../../src/support/doctor-check.js'

const statuses = (checks: readonly DoctorCheck[]): string[] => checks.map((c) => `${c.status} ${c.name}`)

describe('doctor verdicts', () => {
  describe('Redis settings', () => {
    it('given appendonly yes, appendfsync everysec, noeviction, then all ok', () => {
      expect(statuses(settingChecks('', { appendonly: 'yes', appendfsync: 'everysec', 'maxmemory-policy': 'noeviction' }))).to.deep.equal([
        'ok redis.appendonly',
        'ok redis.appendfsync',
        'ok redis.maxmemory-policy',
      ])
    })
    it('given appendonly no and allkeys-lru, then both fail; appendfsync no is a warning', () => {
      expect(statuses(settingChecks(' (n1)', { appendonly: 'no', appendfsync: 'no', 'maxmemory-policy': 'allkeys-lru' }))).to.deep.equal([
        'fail redis.appendonly (n1)',
        'warning redis.appendfsync (n1)',
        'fail redis.maxmemory-policy (n1)',
      ])
    })
    it('given all slots ok, then the cluster passes; given a gap, then it fails', () => {
      expect(clusterCheck('cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_slots_ok:16384\r\n').status).to.equal('ok')
      expect(clusterCheck('cluster_state:fail\r\ncluster_slots_ok:10923\r\n')).to.include({
        status: 'fail',
        reason: 'cluster_state fail, 10923 of 16384 slots ok',
      })
    })
  })

  describe('Kafka topics', () => {
    it('given five of the six contract topics, then five ok with their partitions and one fail', () => {
      const partitions = new Map([
        ['telemetry-create-prometheus-job-and-grafana-dashboard', 4],
        ['telemetry-platform-service', 4],
        ['telemetry-delete-prometheus-job-and-grafana-dashboard', 4],
        ['sonata-service-dashboard-result', 1],
        ['sonata-service-delete-dashboard-result', 1],
      ])
      const checks = topicChecks(partitions)
      expect(checks).to.have.length(6)
      expect(checks.filter((c) => c.status === 'fail').map((c) => c.name)).to.deep.equal(['kafka.topic telemetry-platform-service-result'])
      expect(checks[0]?.reason).to.equal('present, 4 partition(s)')
    })
  })

  describe('secret capacity', () => {
    it('a typical job is a few hundred bytes', () => {
      expect(typicalJobBytes()).to.be.within(200, 1000)
    })
    it('given an empty list, then ok with the room in typical jobs', () => {
      const check = capacityCheck(3, 0, 0.8)
      expect(check.status).to.equal('ok')
      expect(check.reason).to.contain(`about ${Math.floor((SECRET_LIMIT_BYTES - 3) / typicalJobBytes())} more typical jobs`)
    })
    it('given a secret past the warning ratio, then a warning; given a full one, then 0 more', () => {
      expect(capacityCheck(0.9 * SECRET_LIMIT_BYTES, 2000, 0.8).status).to.equal('warning')
      expect(capacityCheck(SECRET_LIMIT_BYTES + 10, 2400, 0.8).reason).to.contain('about 0 more')
    })
  })

  describe('Grafana answers', () => {
    const folderBody = (canSave: boolean): string => JSON.stringify({ uid: 'f', title: 'F', canSave })
    it('a folder: 200 canSave ok, canSave false fail, 404 a warning that it will be created, 401 fail', () => {
      expect(folderCheck('F', 'f', { status: 200, text: folderBody(true) }).status).to.equal('ok')
      expect(folderCheck('F', 'f', { status: 200, text: folderBody(false) }).status).to.equal('fail')
      const missing = folderCheck('F', 'f', { status: 404, text: '{"message":"folder not found"}' })
      expect(missing.status).to.equal('warning')
      expect(missing.reason).to.contain('will be created')
      expect(folderCheck('F', 'f', { status: 401, text: '{"message":"invalid API key"}' }).status).to.equal('fail')
    })
    it('a datasource: 200 ok, 404 fail naming the variable, 403 a warning', () => {
      expect(datasourceCheck('Loki', 'GRAFANA_LOKI_DATASOURCE_UID', 'loki', { status: 200, text: '{"type":"loki"}' }).reason).to.equal('uid loki exists (loki)')
      expect(datasourceCheck('Loki', 'GRAFANA_LOKI_DATASOURCE_UID', 'x', { status: 404, text: '{"message":"Data source not found"}' })).to.include({
        status: 'fail',
        action: 'set GRAFANA_LOKI_DATASOURCE_UID to the uid of your Loki datasource',
      })
      expect(datasourceCheck('Loki', 'GRAFANA_LOKI_DATASOURCE_UID', 'x', { status: 403, text: '{}' }).status).to.equal('warning')
    })
  })
})
