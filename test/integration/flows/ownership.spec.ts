/**
 * Issue #11, items 1, 2 and 6 through the running service (Kafka → Redis → kube simulator →
 * Kafka): the secret is shared with another team whose jobs are full of YAML a round trip would
 * change; the service may only touch what its ownership record says it created.
 */
import { secretOf } from '../../support/secret-of.js'
import { expect } from 'chai'
import { isLeft } from 'fp-ts/lib/Either.js'
import { DEV_SECRET } from '../../../dev/dev-stack.js'
import { OWNERSHIP_KEY, parseOwnedJobs } from '../../../src/codecs/apis/owned-jobs.js'
import { createSecretClient, kubeConfigFrom } from '../../../src/effects/kube/secret/kube-secret-client.js'
import { fragment } from '../../../src/effects/prometheus/scrape-config-list.js'
import { federationJob } from '../../../src/effects/prometheus/scrape-job.js'
import { createSecretWriter } from '../../../src/effects/kube/secret/secret-writer.js'
import { TRICKY_FOREIGN } from '../../fixtures/foreign-scrape-configs.js'
import { useHarness } from '../../support/harness-hooks.js'
import { checkScrapeConfigsWithPromtool } from '../../support/promtool.js'
import { answerTo, createRequest, deleteRequest, jobNamesIn, type SentRequest } from '../../support/request-builders.js'

const { namespace, name, key } = DEV_SECRET

describe('ownership of the shared secret end to end', function () {
  this.timeout(60_000)
  const ctx = useHarness()
  const kube = () => ctx.harness.stack.kube
  const data = () => kube().secret(namespace, name)?.data ?? {}
  const ownedServices = (): string[] => {
    const owned = parseOwnedJobs(data()[OWNERSHIP_KEY])
    if (isLeft(owned)) throw new Error(owned.left)
    return [...owned.right].sort()
  }
  const answer = (request: SentRequest) => answerTo(ctx.results, request)
  /** The list with the service's own items cut out: must be the other team's text, exactly. */
  const foreignPart = (...serviceIds: string[]): string =>
    serviceIds.reduce(
      (text, serviceId) =>
        text.replace(fragment(federationJob({ serviceId, namespaces: ['NAMESPACE_1', 'NAMESPACE_2'], host: '10.10.10.4', port: 30180 })), ''),
      data()[key] ?? '',
    )

  before(() => kube().setSecret(namespace, name, { [key]: TRICKY_FOREIGN }))

  it("a create adds only its own job: the other team's bytes are unchanged and promtool accepts the result", async () => {
    expect(await answer(createRequest('svc-own-1'))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    expect(foreignPart('svc-own-1')).to.equal(TRICKY_FOREIGN)
    expect(jobNamesIn(data()[key])).to.deep.equal(['blue-node', 'blue-flow', 'quoted-name', 'svc-own-1'])
    expect(ownedServices()).to.deep.equal(['svc-own-1'])
    const promtool = await checkScrapeConfigsWithPromtool(data()[key] ?? '')
    expect(promtool.ok, promtool.output).to.equal(true)
  })

  it('a create named like a foreign job answers FAILURE naming the conflict, and nothing changes', async () => {
    const [before, writes] = [{ ...data() }, kube().successfulWrites]
    const result = await answer(createRequest('blue-node'))
    expect(result['dashboardDataOrderStatus']).to.equal('FAILURE')
    expect(result['dashboardDataOrderMessage']).to.match(/job_name "blue-node" is held by a job this service did not create/)
    expect(data()).to.deep.equal(before)
    expect(kube().successfulWrites).to.equal(writes)
  })

  it('a delete whose serviceId names a foreign job removes nothing and says nothing was registered', async () => {
    const before = { ...data() }
    const result = await answer(deleteRequest('quoted-name'))
    expect(result['dashboardDataOrderMessage']).to.not.match(/removed Prometheus job/)
    expect(data()).to.deep.equal(before)
  })

  it('B caches, A adds X, B removes X: X is gone and the delete says it was removed', async () => {
    // the running service (B) has the secret cached since the first test; A is another writer instance
    const config = ctx.harness.stack.config
    const writerA = createSecretWriter({ client: createSecretClient(kubeConfigFrom(config.kube.kubeconfigPath), secretOf(config)), describe: 'writer A' })
    try {
      const job = federationJob({ serviceId: 'svc-x', namespaces: ['NAMESPACE_1', 'NAMESPACE_2'], host: '10.10.10.4', port: 30180 })
      await new Promise<void>((resolve, reject) =>
        writerA.submit({ op: 'upsert', job }).subscribe({ next: (o) => (o.ok ? resolve() : reject(new Error(o.reason))) }),
      )
    } finally {
      writerA.close()
    }
    expect(ownedServices()).to.deep.equal(['svc-own-1', 'svc-x'])

    const result = await answer(deleteRequest('svc-x'))
    expect(result['dashboardDataOrderMessage']).to.match(/removed Prometheus job svc-x/)
    expect(jobNamesIn(data()[key])).to.not.include('svc-x')
    expect(ownedServices()).to.deep.equal(['svc-own-1'])
  })

  it('deleting its own job gives the other team their text back byte for byte', async () => {
    expect(await answer(deleteRequest('svc-own-1'))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    expect(data()[key]).to.equal(TRICKY_FOREIGN)
    expect(ownedServices()).to.deep.equal([])
  })
})
