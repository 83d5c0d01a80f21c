import { expect } from 'chai'
import { isLeft } from 'fp-ts/lib/Either.js'
import { DeleteDashboardRequest } from '../../../../src/codecs/requests.js'
import { scrapeConfigOf } from '../../../../src/effects/kube/scrapeconfig/scrape-config-of.js'
import { applyEdits, emptyScrapeConfigList } from '../../../support/rendered-scrape-list.js'
import { federationJob, jobFingerprint } from '../../../../src/effects/prometheus/scrape-job.js'
import { describeDrift, expectedJobNames, findDrift, type ObservedService } from '../../../../src/ops/reconcile/drift.js'
import { jobsInScrapeConfigs, jobsInSecret } from '../../../../src/ops/reconcile/jobs-in-place.js'
import { initialServiceState, type ServiceState } from '../../../../src/state/service-state.js'

const job = (serviceId: string, host = '10.0.0.1') => federationJob({ serviceId, namespaces: ['ns'], host, port: 9090 })
const dashboard = (uid: string) => ({ uid, id: 1, url: `/d/${uid}`, version: 1, folderUid: 'f', fingerprint: 'x' })

const active = (serviceId: string): ServiceState => ({
  ...initialServiceState(serviceId),
  version: 6,
  status: 'active',
  job: { jobName: serviceId, fingerprint: jobFingerprint(job(serviceId)) },
  dashboards: { metrics: dashboard(`tcm-${serviceId}`), logs: dashboard(`tcl-${serviceId}`) },
})
const deleted = (serviceId: string): ServiceState => ({ ...initialServiceState(serviceId), version: 11, status: 'deleted' })
const deletePayload = (serviceId: string) => {
  const decoded = DeleteDashboardRequest.decode({ serviceId })
  if (isLeft(decoded)) throw new Error('bad fixture')
  return decoded.right
}
const observed = (state: ServiceState, o: Partial<ObservedService> = {}): ObservedService => ({ state, missingDashboards: [], taggedDashboards: [], ...o })

describe('ops/drift (pure)', () => {
  const secret = jobsInSecret(
    applyEdits(emptyScrapeConfigList, [
      { op: 'upsert', job: job('a') },
      { op: 'upsert', job: job('b', '10.9.9.9') },
      { op: 'upsert', job: job('gone') },
    ]).entries,
  )

  it('nothing when the secret and Grafana match the log', () => {
    expect(findDrift([observed(active('a')), observed(deleted('other'))], secret)).to.deep.equal([])
  })

  it('job missing, job different, job left behind', () => {
    const drift = findDrift([observed(active('a')), observed(active('b')), observed(active('c')), observed(deleted('gone'))], secret)
    expect(drift.map((d) => [d.kind, d.serviceId])).to.deep.equal([
      ['job-different', 'b'],
      ['job-missing', 'c'],
      ['job-left-behind', 'gone'],
    ])
    expect(drift[0]).to.include({ expected: jobFingerprint(job('b')), actual: jobFingerprint(job('b', '10.9.9.9')) })
  })

  it('dashboards missing for a live service, left behind for a deleted one', () => {
    const drift = findDrift([observed(active('a'), { missingDashboards: ['logs'] }), observed(deleted('other'), { taggedDashboards: ['tcm-other'] })], secret)
    expect(drift).to.deep.equal([
      { kind: 'dashboard-missing', serviceId: 'a', role: 'logs', uid: 'tcl-a' },
      { kind: 'dashboard-left-behind', serviceId: 'other', uids: ['tcm-other'] },
    ])
    expect(drift.map((d) => describeDrift(d, 'secret'))).to.deep.equal([
      'logs dashboard tcl-a is missing from Grafana',
      'dashboard(s) tcm-other still in Grafana although the service was deleted',
    ])
  })

  it('a service with requests in progress is left to the running service', () => {
    const busy: ServiceState = {
      ...active('c'),
      pending: [
        {
          requestId: 'r',
          request: { kind: 'delete', payload: deletePayload('c') },
          kogito: {},
          acceptedAt: 't',
          done: [],
          failure: null,
          redeliveries: 0,
          removed: { job: false, dashboardUids: [] },
        },
      ],
    }
    expect(findDrift([observed(busy, { missingDashboards: ['metrics'] })], secret)).to.deep.equal([])
  })

  it('a new or failed service without a job is not reported for a same-named job', () => {
    expect(findDrift([observed({ ...initialServiceState('gone'), status: 'failed' })], secret)).to.deep.equal([])
  })

  describe("given the scrapeconfig backend (the service's own ScrapeConfigs read back as jobs)", () => {
    const options = { namespace: 'monitoring', extraLabels: { release: 'prometheus' } }
    const own = [scrapeConfigOf(job('a'), options), scrapeConfigOf(job('b', '10.9.9.9'), options), scrapeConfigOf(job('gone'), options)]
    const services = [observed(active('a')), observed(active('b')), observed(active('c')), observed(deleted('gone'))]

    it('when compared, then the same drift as the secret with the same content', () => {
      expect(findDrift(services, jobsInScrapeConfigs(own))).to.deep.equal(findDrift(services, secret))
    })

    it("when an object of a missing job's name is somebody else's, then job-missing says the repair will fail on it", () => {
      const drift = findDrift([observed(active('c'))], jobsInScrapeConfigs(own, new Set(['c'])))
      expect(drift).to.deep.equal([{ kind: 'job-missing', serviceId: 'c', jobName: 'c', foreign: true }])
      expect(describeDrift(drift[0]!, 'scrapeconfig')).to.match(
        /^job c has no ScrapeConfig; an object of its name exists that this service did not create, so the repair will fail on it/,
      )
    })

    it("when an object carries the managed-by label but not the service's annotation, then it is not the service's job", () => {
      const copied = { ...own[0]!, metadata: { ...own[0]!.metadata, annotations: {} } }
      expect(findDrift([observed(active('a'))], jobsInScrapeConfigs([copied]))).to.deep.equal([{ kind: 'job-missing', serviceId: 'a', jobName: 'a' }])
    })

    it('when a hand edit added a field the job has no place for, then job-different (not a trimmed match)', () => {
      const edited = { ...own[0]!, spec: { ...own[0]!.spec, scrapeInterval: '1s' } }
      expect(findDrift([observed(active('a'))], jobsInScrapeConfigs([edited])).map((d) => d.kind)).to.deep.equal(['job-different'])
    })

    it('then the descriptions name the backend', () => {
      const drift = findDrift(services, jobsInScrapeConfigs(own))
      expect(drift.map((d) => describeDrift(d, 'scrapeconfig'))).to.deep.equal([
        `the ScrapeConfig of job b differs from the one written (fingerprint ${jobFingerprint(job('b', '10.9.9.9'))}, expected ${jobFingerprint(job('b'))})`,
        'job c has no ScrapeConfig',
        'the ScrapeConfig of job gone is still in place although the service was deleted',
      ])
      expect(drift.map((d) => describeDrift(d, 'secret'))).to.deep.equal([
        `job b differs from the one written (fingerprint ${jobFingerprint(job('b', '10.9.9.9'))}, expected ${jobFingerprint(job('b'))})`,
        'job c is missing from the secret',
        'job gone is still in the secret although the service was deleted',
      ])
    })

    it('the job names worth asking the backend about are the ones the logs say are written', () => {
      expect(expectedJobNames(services)).to.deep.equal(['a', 'b', 'c'])
    })
  })
})
