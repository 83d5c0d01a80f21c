/**
 * The invariant check must fail when an invariant breaks: each case below breaks exactly one
 * (a lost result, differing copies, a duplicate job, a foreign job changed, a leftover dashboard,
 * YAML promtool rejects) and must be reported. No servers: results and state are built by hand.
 */
import { expect } from 'chai'
import { dump } from '../../support/yaml.js'
import type { CollectedMessage } from '../../support/kafka-helpers.js'
import { STILL_IN_PLACE } from '../../../src/state/decide.js'
import { checkInvariants, type InvariantInput } from '../../support/invariants.js'
import { createRequest, deleteRequest } from '../../support/request-builders.js'

const resultFor = (r: { kogitoprocinstanceid: string }, status = 'SUCCESS', extra = '', message = `ok${extra}`): CollectedMessage => ({
  topic: 'sonata-service-dashboard-result',
  partition: 0,
  offset: '0',
  key: null,
  headers: {},
  timestamp: '0',
  value: Buffer.from(
    JSON.stringify({ kogitoprocrefid: r.kogitoprocinstanceid, data: { dashboardDataOrderStatus: status, dashboardDataOrderMessage: message } }),
  ),
})

const create = createRequest('svc-a', ['ns-1'], 9090)
const remove = deleteRequest('svc-b')
const createB = createRequest('svc-b', ['ns-2'], 9091)
const jobA = {
  job_name: 'svc-a',
  honor_labels: true,
  metrics_path: '/federate',
  params: { 'match[]': ['{namespace=~"ns-1"}'] },
  static_configs: [{ targets: ['10.10.10.4:9090'], labels: { serviceId: 'svc-a' } }],
}
const foreign = { job_name: 'other', static_configs: [{ targets: ['10.0.0.1:9100'] }] }
const good: InvariantInput = {
  requests: [create, createB, remove],
  results: [resultFor(create), resultFor(createB), resultFor(remove)],
  scrapeConfigs: dump([jobA, foreign]),
  dashboards: [{ uid: 'tcm-svc-a' }, { uid: 'tcl-svc-a' }],
  foreignJobs: [foreign],
}

describe('reliability: the invariant check catches each broken invariant', function () {
  this.timeout(30_000)

  it('accepts a correct end state', async () => {
    const r = await checkInvariants(good)
    expect({
      lost: r.lost,
      dup: r.duplicateJobs,
      missing: r.missingJobs,
      extra: r.extraJobs,
      wrong: r.wrongJobs,
      md: r.missingDashboards,
      xd: r.extraDashboards,
      ok: r.promtool.ok,
    }).to.deep.equal({ lost: [], dup: [], missing: [], extra: [], wrong: [], md: [], xd: [], ok: true })
  })
  it('a lost result', async () => expect((await checkInvariants({ ...good, results: good.results.slice(1) })).lost).to.have.length(1))
  it('result copies that differ', async () =>
    expect((await checkInvariants({ ...good, results: [...good.results, resultFor(create, 'SUCCESS', '!')] })).inconsistentCopies).to.have.length(1))
  it('a duplicate job', async () =>
    expect((await checkInvariants({ ...good, scrapeConfigs: dump([jobA, jobA, foreign]) })).duplicateJobs).to.deep.equal(['svc-a']))
  it("a job of a deleted service, and another writer's job changed", async () => {
    const r = await checkInvariants({ ...good, scrapeConfigs: dump([jobA, { ...foreign, static_configs: [] }, { ...jobA, job_name: 'svc-b' }]) })
    expect(r.extraJobs).to.deep.equal(['svc-b'])
    expect(r.wrongJobs).to.deep.equal(['other'])
  })
  it("a live job whose target is not the request's", async () =>
    expect(
      (
        await checkInvariants({
          ...good,
          scrapeConfigs: dump([{ ...jobA, static_configs: [{ targets: ['6.6.6.6:1'], labels: { serviceId: 'svc-a' } }] }, foreign]),
        })
      ).wrongJobs,
    ).to.deep.equal(['svc-a']))
  it('a missing and a leftover dashboard', async () => {
    const r = await checkInvariants({ ...good, dashboards: [{ uid: 'tcm-svc-a' }, { uid: 'tcm-svc-b' }] })
    expect(r.missingDashboards).to.deep.equal(['tcl-svc-a'])
    expect(r.extraDashboards).to.deep.equal(['tcm-svc-b'])
  })
  // all or nothing (issue #18 item 1): a failed create changed nothing unless its message names what stayed
  it('a create that answered FAILURE but left its job behind', async () => {
    const failed = createRequest('svc-c', ['ns-3'], 9092)
    const jobC = { ...jobA, job_name: 'svc-c', static_configs: [{ targets: ['10.10.10.4:9092'], labels: { serviceId: 'svc-c' } }] }
    const r = await checkInvariants({
      ...good,
      requests: [...good.requests, failed],
      results: [...good.results, resultFor(failed, 'FAILURE', '', 'Failed while creating the Grafana dashboard: 403; undone: removed Prometheus job svc-c')],
      scrapeConfigs: dump([jobA, foreign, jobC]),
    })
    expect(r.extraJobs).to.deep.equal(['svc-c'])
  })
  it('a create FAILURE that names what is still in place leaves the service uncertain', async () => {
    const failed = createRequest('svc-c', ['ns-3'], 9092)
    const r = await checkInvariants({
      ...good,
      requests: [...good.requests, failed],
      results: [
        ...good.results,
        resultFor(
          failed,
          'FAILURE',
          '',
          `Failed while creating the Grafana dashboard: 403; undo failed while removing the Prometheus scrape job: 403; ${STILL_IN_PLACE} Prometheus job svc-c`,
        ),
      ],
    })
    expect(r.uncertain).to.deep.equal(['svc-c'])
  })
  it('YAML promtool rejects', async () =>
    expect((await checkInvariants({ ...good, scrapeConfigs: `${dump([jobA, foreign])}- job_name: x\n  bogus_field: 1\n` })).promtool.ok).to.equal(false))
})
