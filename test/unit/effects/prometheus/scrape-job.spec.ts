import { expect } from 'chai'
import { canonicalJson, federationJob, jobFingerprint, targetAddress } from '../../../../src/effects/prometheus/scrape-job.js'

const spec = {
  serviceId: 'ecc4345a-2097-4c3b-a40c-a9e791cdccbb',
  namespaces: ['NAMESPACE_1', 'NAMESPACE_2'],
  host: '10.10.10.4',
  port: 30180,
}

describe('scrape-job', () => {
  describe('federationJob', () => {
    it('given the spec sample, then the exact federation scrape config', () => {
      expect(federationJob(spec)).to.deep.equal({
        job_name: 'ecc4345a-2097-4c3b-a40c-a9e791cdccbb',
        honor_labels: true,
        metrics_path: '/federate',
        params: { 'match[]': ['{namespace=~"NAMESPACE_1|NAMESPACE_2"}'] },
        static_configs: [{ targets: ['10.10.10.4:30180'], labels: { serviceId: 'ecc4345a-2097-4c3b-a40c-a9e791cdccbb' } }],
        metric_relabel_configs: [{ action: 'replace', target_label: 'hypo_service_id', replacement: 'ecc4345a-2097-4c3b-a40c-a9e791cdccbb' }],
      })
    })

    it('given a namespace with a dot, then match[] holds it regex-escaped inside the string literal', () => {
      expect(federationJob({ ...spec, namespaces: ['a.b'] }).params['match[]']).to.deep.equal(['{namespace=~"a\\\\.b"}'])
    })

    it('given an IPv6 host, then the target is bracketed', () => {
      expect(federationJob({ ...spec, host: '::1', port: 9090 }).static_configs[0].targets).to.deep.equal(['[::1]:9090'])
    })
  })

  describe('targetAddress', () => {
    it('brackets IPv6, leaves hostnames, IPv4 and already-bracketed hosts alone', () => {
      expect(targetAddress('fd00::10', 80)).to.equal('[fd00::10]:80')
      expect(targetAddress('prom.example.org', 9090)).to.equal('prom.example.org:9090')
      expect(targetAddress('10.0.0.1', 1)).to.equal('10.0.0.1:1')
      expect(targetAddress('[::1]', 9090)).to.equal('[::1]:9090')
    })
  })

  describe('jobFingerprint', () => {
    it('is 16 hex chars and deterministic', () => {
      const fp = jobFingerprint(federationJob(spec))
      expect(fp).to.match(/^[0-9a-f]{16}$/)
      expect(jobFingerprint(federationJob(spec))).to.equal(fp)
    })

    it('ignores key order, so a job read back from the secret compares equal', () => {
      const job = federationJob(spec)
      const reordered = {
        metric_relabel_configs: [{ replacement: spec.serviceId, target_label: 'hypo_service_id', action: 'replace' }],
        static_configs: [{ labels: { serviceId: spec.serviceId }, targets: ['10.10.10.4:30180'] }],
        params: { 'match[]': ['{namespace=~"NAMESPACE_1|NAMESPACE_2"}'] },
        metrics_path: '/federate',
        job_name: spec.serviceId,
        honor_labels: true,
      }
      expect(jobFingerprint(reordered)).to.equal(jobFingerprint(job))
      expect(canonicalJson(reordered)).to.equal(canonicalJson(job))
    })

    it('changes when anything changes (namespaces, port, list order)', () => {
      const base = jobFingerprint(federationJob(spec))
      expect(jobFingerprint(federationJob({ ...spec, port: 30181 }))).to.not.equal(base)
      expect(jobFingerprint(federationJob({ ...spec, namespaces: ['NAMESPACE_1'] }))).to.not.equal(base)
      expect(jobFingerprint(federationJob({ ...spec, namespaces: ['NAMESPACE_2', 'NAMESPACE_1'] }))).to.not.equal(base)
    })
  })
})
