/**
 * The ScrapeConfig applier against the Kubernetes simulator through client-node: server-side
 * apply of the service's object (idempotent, drift undone), refusal to take over or delete an
 * object somebody else created under the same name, and classified failures.
 */
import { expect } from 'chai'
import { startKubeSimulator, type KubeSimulator } from '../../../../../dev/kube-simulator/index.js'
import { KubeErrorException, kubeConfigFrom, type KubeError } from '../../../../../src/effects/kube/secret/kube-secret-client.js'
import { createScrapeConfigApplier, type ScrapeConfigApplier } from '../../../../../src/effects/kube/scrapeconfig/scrape-config-applier.js'
import { scrapeConfigName } from '../../../../../src/effects/kube/scrapeconfig/scrape-config-name.js'
import { scrapeConfigOf } from '../../../../../src/effects/kube/scrapeconfig/scrape-config-of.js'
import { federationJob } from '../../../../../src/effects/prometheus/scrape-job.js'
import { rejectionOf } from '../../../../support/rejection.js'
import { sleep } from '../../../../support/wait.js'

const NS = 'monitoring'
const ID = 'Svc_1.ecc4345a'
const NAME = scrapeConfigName(ID)
const job = federationJob({ serviceId: ID, namespaces: ['NAMESPACE_1'], host: '10.10.10.4', port: 30180 })
const options = { namespace: NS, extraLabels: { release: 'prometheus' }, fieldManager: 'telemetry-client', timeoutMs: 500 }

/** The KubeError a promise rejected with; fails the test if it resolved or threw something else. */
const rejection = async (promise: Promise<unknown>): Promise<KubeError> => (await rejectionOf(promise, KubeErrorException)).error

describe('ScrapeConfig applier (client-node against the simulator)', () => {
  let sim: KubeSimulator
  let applier: ScrapeConfigApplier
  const stored = () => sim.scrapeConfig(NS, NAME) as { metadata: Record<string, unknown>; spec: Record<string, unknown> } | undefined

  before(async () => {
    sim = await startKubeSimulator({ scrapeConfigNamespaces: [NS] })
    applier = createScrapeConfigApplier(kubeConfigFrom(await sim.writeKubeconfig()), options)
  })
  after(() => sim.stop())
  beforeEach(async () => {
    sim.faults.clear()
    await applier.remove(ID)
  })

  it("applies the service's ScrapeConfig under its field manager; applying again changes nothing", async () => {
    const applied = await applier.apply(job)
    const desired = scrapeConfigOf(job, options)
    expect(applied.spec).to.deep.equal(desired.spec)
    expect(applied.metadata).to.include({ name: NAME, namespace: NS })
    expect(applied.metadata.labels).to.deep.equal(desired.metadata.labels)
    expect(applied.metadata.annotations).to.deep.equal(desired.metadata.annotations)
    const managers = stored()?.metadata['managedFields'] as Array<Record<string, unknown>>
    expect(managers.map((m) => [m['manager'], m['operation']])).to.deep.equal([['telemetry-client', 'Apply']])
    const again = await applier.apply(job)
    expect(again.metadata.resourceVersion).to.equal(applied.metadata.resourceVersion)
  })

  it('undoes a hand edit of its own object (force), and follows a changed target', async () => {
    await applier.apply(job)
    const current = stored()
    sim.setScrapeConfig(NS, { ...current, spec: { ...current?.spec, jobName: 'edited' } })
    expect((await applier.apply(job)).spec.jobName).to.equal(ID)
    const moved = federationJob({ serviceId: ID, namespaces: ['NAMESPACE_1'], host: '10.10.10.5', port: 9090 })
    expect((await applier.apply(moved)).spec.staticConfigs?.[0]?.targets).to.deep.equal(['10.10.10.5:9090'])
  })

  it('refuses to take over, and never removes, an object of the same name that it did not create', async () => {
    sim.setScrapeConfig(NS, { metadata: { name: NAME, labels: { release: 'prometheus' } }, spec: { jobName: 'someone-else' } })
    const refused = await rejection(applier.apply(job))
    expect(refused.kind).to.equal('conflict')
    expect(await applier.remove(ID)).to.equal('foreign')
    expect(stored()?.spec['jobName']).to.equal('someone-else')
    // the mark is label AND annotation: a copied annotation alone is not enough
    sim.setScrapeConfig(NS, { metadata: { name: NAME, annotations: { 'telemetry-client.etsi-hypo/service-id': ID } }, spec: {} })
    expect(await applier.remove(ID)).to.equal('foreign')
    sim.setScrapeConfig(NS, {
      metadata: { name: NAME, labels: { 'app.kubernetes.io/managed-by': 'telemetry-client' }, annotations: { 'telemetry-client.etsi-hypo/service-id': ID } },
      spec: {},
    })
    expect(await applier.remove(ID)).to.equal('removed')
  })

  it('removes its own object once; the second time it is absent', async () => {
    await applier.apply(job)
    expect(await applier.remove(ID)).to.equal('removed')
    expect(stored()).to.equal(undefined)
    expect(await applier.remove(ID)).to.equal('absent')
  })

  describe('a write that got no answer may still land (timeout 500 ms, so 1,500 ms to settle)', () => {
    /** each wait the applier makes before a write, in ms */
    const waits: number[] = []
    let settling: ScrapeConfigApplier
    before(async () => {
      settling = createScrapeConfigApplier(kubeConfigFrom(await sim.writeKubeconfig()), {
        ...options,
        sleep: (ms) => (waits.push(ms), sleep(ms)),
      })
    })
    beforeEach(() => (waits.length = 0))

    it('an undo right after an unanswered apply waits it out, then removes what landed late', async () => {
      // the apiserver takes 900 ms to take the apply in: the client gave up at 500, the object appears at 900
      sim.faults.add({ kind: 'scrapeconfig.patch', latencyMs: 900, times: 1 })
      expect((await rejection(settling.apply(job))).kind).to.equal('retryable')
      expect(stored(), 'not landed yet').to.equal(undefined)
      expect(await settling.remove(ID)).to.equal('removed')
      expect(waits, 'the undo waited').to.have.length(1)
      await sleep(600)
      expect(stored(), 'nothing left behind').to.equal(undefined)
    })

    it('an apply right after an unanswered delete waits it out, then writes the object again', async () => {
      await settling.apply(job)
      sim.faults.add({ kind: 'scrapeconfig.delete', latencyMs: 900, times: 1 })
      expect((await rejection(settling.remove(ID))).kind).to.equal('retryable')
      expect(stored(), 'not deleted yet').to.not.equal(undefined)
      await settling.apply(job)
      expect(waits, 'the apply waited').to.have.length(1)
      await sleep(600)
      expect(stored()?.spec['jobName'], 'the newer apply is what stays').to.equal(ID)
    })

    it('a retry of the same write does not wait', async () => {
      sim.faults.add({ kind: 'scrapeconfig.patch', latencyMs: 900, times: 1 })
      await rejection(settling.apply(job))
      await settling.apply(job)
      expect(waits, 'no wait for the same apply').to.deep.equal([])
      await sleep(1000)
    })
  })

  it('classifies failures: 403 outside its namespace, 503 retryable, 422 invalid', async () => {
    const elsewhere = createScrapeConfigApplier(kubeConfigFrom(await sim.writeKubeconfig()), { ...options, namespace: 'default' })
    expect((await rejection(elsewhere.apply(job))).kind).to.equal('forbidden')
    sim.faults.add({ kind: 'scrapeconfig.patch', times: 1, effect: { type: 'status', status: 503 } })
    const unavailable = await rejection(applier.apply(job))
    expect(unavailable).to.include({ kind: 'retryable', status: 503 })
    expect(unavailable.message).to.contain(`apply scrapeconfig ${NS}/${NAME}`)
    const badLabels = createScrapeConfigApplier(kubeConfigFrom(await sim.writeKubeconfig()), { ...options, extraLabels: { release: 'not a label value' } })
    expect((await rejection(badLabels.apply(job))).kind).to.equal('invalid')
  })
})
