/**
 * Issue #12 item 8 through the running service: when a create would push the shared secret past
 * the API server's 1 MiB limit (the kube simulator answers 422 "Too long" like the real one), the
 * create answers FAILURE saying the secret is full, and deletes still go through.
 */
import { expect } from 'chai'
import { DEV_SECRET } from '../../../dev/dev-stack.js'
import { OWNERSHIP_KEY, renderOwnedJobs } from '../../../src/codecs/apis/owned-jobs.js'
import { fragment } from '../../../src/effects/prometheus/scrape-config-list.js'
import { federationJob } from '../../../src/effects/prometheus/scrape-job.js'
import { useHarness } from '../../support/harness-hooks.js'
import { answerTo, createRequest, deleteRequest, jobNamesIn, type SentRequest } from '../../support/request-builders.js'

const { namespace, name, key } = DEV_SECRET
const LIMIT = 1024 * 1024

/** Another team's job padded so that the secret has `room` bytes left. */
const fillerLeaving = (room: number): string => {
  const head = "- job_name: filler\n  static_configs:\n  - targets: ['10.0.0.1:9100']\n    labels:\n      blob: \""
  const tail = '"\n'
  return `${head}${'x'.repeat(LIMIT - room - head.length - tail.length)}${tail}`
}

describe('a full scrape-config secret end to end', function () {
  this.timeout(60_000)
  const ctx = useHarness()
  const data = () => ctx.harness.stack.kube.secret(namespace, name)?.data ?? {}
  const answer = (request: SentRequest) => answerTo(ctx.results, request)

  // room for exactly one job and its ownership line (rendered as the service renders them), not two
  const oneJob = fragment(federationJob({ serviceId: 'svc-q1', namespaces: ['NAMESPACE_1', 'NAMESPACE_2'], host: '10.10.10.4', port: 30180 }))
  before(() =>
    ctx.harness.stack.kube.setSecret(namespace, name, {
      [key]: fillerLeaving(Buffer.byteLength(oneJob) + Buffer.byteLength(renderOwnedJobs(new Set(['svc-q1']))) + 100),
    }),
  )

  it('creates fill it, the one that does not fit answers FAILURE "full", a delete makes room again', async () => {
    expect(await answer(createRequest('svc-q1'))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    const full = await answer(createRequest('svc-q2'))
    expect(full['dashboardDataOrderStatus']).to.equal('FAILURE')
    expect(full['dashboardDataOrderMessage']).to.match(/is full: .*Too long: must have at most 1048576 bytes.*the job was not added/)
    expect(jobNamesIn(data()[key])).to.deep.equal(['filler', 'svc-q1'])

    expect((await answer(deleteRequest('svc-q1')))['dashboardDataOrderMessage']).to.match(/removed Prometheus job svc-q1/)
    expect(await answer(createRequest('svc-q2'))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    expect(jobNamesIn(data()[key])).to.deep.equal(['filler', 'svc-q2'])
    const total = Buffer.byteLength(data()[key] ?? '') + Buffer.byteLength(data()[OWNERSHIP_KEY] ?? '')
    expect(total).to.be.at.most(LIMIT)
  })
})
