import { expect } from 'chai'
import sinon from 'sinon'
import { load } from '../../../../support/yaml.js'
import { KubeErrorException, type KubeError, type SecretClient, type SecretSnapshot } from '../../../../../src/effects/kube/secret/kube-secret-client.js'
import { type JobChange } from '../../../../../src/effects/prometheus/scrape-config-list.js'
import { applyEdits, emptyScrapeConfigList, renderScrapeConfigList } from '../../../../support/rendered-scrape-list.js'
import { renderOwnedJobs } from '../../../../../src/codecs/apis/owned-jobs.js'
import { federationJob } from '../../../../../src/effects/prometheus/scrape-job.js'
import { writeBatch, type BatchWriteDeps } from '../../../../../src/effects/kube/secret/secret-batch-write.js'

const DESCRIBE = 'monitoring/additional-scrape-configs prometheus-additional.yaml'

const upsert = (serviceId: string): JobChange => ({
  op: 'upsert',
  job: federationJob({ serviceId, namespaces: ['ns-1'], host: '10.0.0.4', port: 30180 }),
})
const remove = (jobName: string): JobChange => ({ op: 'remove', jobName })

/** The secret text holding exactly these jobs, rendered the way the writer renders it. */
const secretWith = (...serviceIds: string[]): string => renderScrapeConfigList(applyEdits(emptyScrapeConfigList, serviceIds.map(upsert)))

/** The ownership record saying the service created exactly these jobs. */
const ownedBy = (...serviceIds: string[]): string => renderOwnedJobs(new Set(serviceIds))

/** The jobs in a written value: the writer hands the client the list's UTF-8 bytes. */
const jobNamesIn = (value: string | Buffer | undefined): string[] =>
  ((load(value?.toString() ?? '') as Array<{ job_name: string }> | null) ?? []).map((job) => job.job_name)

const kubeError = (error: KubeError) => new KubeErrorException(error)
const conflict = () => kubeError({ kind: 'conflict', status: 409, message: 'the object has been modified' })

/** A SecretClient whose methods are sinon stubs; `replace` answers with the next resourceVersion by default. */
const fakeClient = (first: SecretSnapshot) => {
  const read = sinon.stub<[], Promise<SecretSnapshot>>().resolves(first)
  const replace = sinon
    .stub<[string | Buffer, string], Promise<{ resourceVersion: string }>>()
    .callsFake((_value, resourceVersion) => Promise.resolve({ resourceVersion: String(Number(resourceVersion) + 1) }))
  const readMetadata = sinon.stub<[], Promise<{ resourceVersion: string }>>().resolves({ resourceVersion: '1' })
  const client: SecretClient = { read, replace, readMetadata }
  return { client, read, replace }
}

const depsWith = (client: SecretClient, maxAttempts = 4) => {
  const delays: number[] = []
  const deps: BatchWriteDeps = {
    client,
    describe: DESCRIBE,
    maxAttempts,
    sleep: (ms) => {
      delays.push(ms)
      return Promise.resolve()
    },
    random: () => 0.5,
    cache: undefined,
  }
  return { deps, delays }
}

describe('writeBatch', () => {
  it('reads once, then writes every later batch from the cache (no GET) with the last resourceVersion', async () => {
    const { client, read, replace } = fakeClient({ resourceVersion: '10', value: secretWith('foreign') })
    const { deps } = depsWith(client)

    const first = await writeBatch([upsert('svc-a'), upsert('svc-b')], deps)
    const second = await writeBatch([remove('svc-a')], deps)

    expect(read.callCount).to.equal(1)
    expect(replace.args.map(([, rv]) => rv)).to.deep.equal(['10', '11'])
    expect(jobNamesIn(replace.firstCall.args[0])).to.deep.equal(['foreign', 'svc-a', 'svc-b'])
    expect(jobNamesIn(replace.secondCall.args[0])).to.deep.equal(['foreign', 'svc-b'])
    expect(first.outcomes).to.deep.equal([
      { ok: true, changed: true, wasPresent: false },
      { ok: true, changed: true, wasPresent: false },
    ])
    expect(second.outcomes).to.deep.equal([{ ok: true, changed: true, wasPresent: true }])
    expect(first.report).to.include({ edits: 2, written: true, attempts: 1, conflicts: 0 })
    expect(deps.cache?.resourceVersion).to.equal('12')
  })

  it("on 409 re-reads and re-applies the batch on top of the other writer's version, keeping its job", async () => {
    const { client, read, replace } = fakeClient({ resourceVersion: '10', value: secretWith('foreign') })
    read.onSecondCall().resolves({ resourceVersion: '20', value: secretWith('foreign', 'other-writer') })
    replace.onFirstCall().rejects(conflict())
    const { deps, delays } = depsWith(client)

    const { outcomes, report } = await writeBatch([upsert('svc-a')], deps)

    expect(read.callCount).to.equal(2)
    expect(replace.args.map(([, rv]) => rv)).to.deep.equal(['10', '20'])
    expect(jobNamesIn(replace.secondCall.args[0])).to.deep.equal(['foreign', 'other-writer', 'svc-a'])
    expect(outcomes).to.deep.equal([{ ok: true, changed: true, wasPresent: false }])
    expect(report).to.include({ written: true, attempts: 2, conflicts: 1 })
    // no Retry-After on a conflict: jittered backoff, random() = 0.5 of 50 * 2^1
    expect(delays).to.deep.equal([50])
  })

  it('backs off on retryable 503/429 for exactly the Retry-After the apiserver asked for', async () => {
    const { client, read, replace } = fakeClient({ resourceVersion: '10', value: '' })
    replace.onFirstCall().rejects(kubeError({ kind: 'retryable', status: 503, message: 'unavailable', retryAfterMs: 1500 }))
    replace.onSecondCall().rejects(kubeError({ kind: 'retryable', status: 429, message: 'too many requests', retryAfterMs: 2000 }))
    replace.onThirdCall().rejects(kubeError({ kind: 'retryable', status: 503, message: 'unavailable' }))
    const { deps, delays } = depsWith(client)

    const { outcomes, report } = await writeBatch([upsert('svc-a')], deps)

    expect(delays).to.deep.equal([1500, 2000, Math.round(0.5 * 50 * 2 ** 3)])
    expect(outcomes).to.deep.equal([{ ok: true, changed: true, wasPresent: false }])
    expect(report).to.include({ written: true, attempts: 4, conflicts: 0 })
    expect(replace.callCount).to.equal(4)
    // a failed attempt drops the cache: every retry starts from a fresh GET
    expect(read.callCount).to.equal(4)
  })

  it('gives up after a PUT that got no answer as a write that may have landed; refused by a status every time, it did not', async () => {
    const unanswered = fakeClient({ resourceVersion: '10', value: '' })
    unanswered.replace.onFirstCall().rejects(kubeError({ kind: 'retryable', message: 'no answer within 10000 ms' }))
    unanswered.replace.rejects(kubeError({ kind: 'retryable', status: 503, message: 'unavailable' }))
    const first = await writeBatch([upsert('svc-a'), remove('svc-b')], depsWith(unanswered.client, 2).deps)
    expect(first.outcomes.map((o) => !o.ok && o.mayHaveLanded)).to.deep.equal([true, true])

    const refused = fakeClient({ resourceVersion: '10', value: '' })
    refused.replace.rejects(kubeError({ kind: 'retryable', status: 503, message: 'unavailable' }))
    const second = await writeBatch([upsert('svc-a')], depsWith(refused.client, 2).deps)
    expect(second.outcomes).to.deep.equal([{ ok: false, reason: `secret ${DESCRIBE} could not be written after 2 attempts: unavailable`, retryable: true }])
  })

  it('fails every edit, not retryable, when the secret does not exist', async () => {
    const { client, read, replace } = fakeClient({ resourceVersion: '1', value: '' })
    read.rejects(kubeError({ kind: 'not-found', status: 404, message: 'secrets "x" not found' }))
    const { deps, delays } = depsWith(client)

    const { outcomes, report } = await writeBatch([upsert('svc-a'), remove('svc-b')], deps)

    const reason = `secret ${DESCRIBE} not found (it is not created by this service)`
    expect(outcomes).to.deep.equal([
      { ok: false, reason, retryable: false },
      { ok: false, reason, retryable: false },
    ])
    expect(report).to.include({ written: false, attempts: 1, error: reason })
    expect(replace.called).to.equal(false)
    expect(delays).to.deep.equal([])
  })

  it('never overwrites a secret holding invalid YAML: failure and no replace call', async () => {
    const { client, replace } = fakeClient({ resourceVersion: '1', value: '- job_name: [unclosed\n' })
    const { deps } = depsWith(client)

    const { outcomes, report } = await writeBatch([upsert('svc-a')], deps)

    expect(outcomes).to.have.length(1)
    const [outcome] = outcomes
    expect(outcome).to.include({ ok: false, retryable: false })
    expect(report.error).to.match(/holds invalid scrape configs \(left untouched\): secret value is not valid YAML/)
    expect(replace.called).to.equal(false)
    expect(deps.cache).to.equal(undefined)
  })

  it('does not write when the batch changes nothing (same job again, removing an absent job)', async () => {
    const { client, replace } = fakeClient({ resourceVersion: '7', value: secretWith('svc-a'), owned: ownedBy('svc-a') })
    const { deps } = depsWith(client)

    const { outcomes, report } = await writeBatch([upsert('svc-a'), remove('never-registered')], deps)

    expect(replace.called).to.equal(false)
    expect(outcomes).to.deep.equal([
      { ok: true, changed: false, wasPresent: true },
      { ok: true, changed: false, wasPresent: false },
    ])
    expect(report).to.include({ written: false, attempts: 1 })
    expect(report.error).to.equal(undefined)
  })

  it('gives up after maxAttempts conflicts with a retryable failure', async () => {
    const { client, read, replace } = fakeClient({ resourceVersion: '1', value: '' })
    replace.rejects(conflict())
    const { deps, delays } = depsWith(client, 3)

    const { outcomes, report } = await writeBatch([upsert('svc-a')], deps)

    const reason = `secret ${DESCRIBE} could not be written after 3 attempts: the object has been modified`
    expect(outcomes).to.deep.equal([{ ok: false, reason, retryable: true }])
    expect(report).to.include({ written: false, attempts: 3, conflicts: 3, error: reason })
    expect(replace.callCount).to.equal(3)
    expect(read.callCount).to.equal(3)
    // no sleep after the last attempt
    expect(delays).to.have.length(2)
  })

  it('fails at once, not retryable, when Kubernetes refuses the update (403)', async () => {
    const { client, replace } = fakeClient({ resourceVersion: '1', value: '' })
    replace.rejects(kubeError({ kind: 'forbidden', status: 403, message: 'forbidden: cannot update secrets' }))
    const { deps, delays } = depsWith(client)

    const { outcomes } = await writeBatch([upsert('svc-a')], deps)

    expect(outcomes).to.deep.equal([{ ok: false, reason: 'Kubernetes refused the secret update: forbidden: cannot update secrets', retryable: false }])
    expect(replace.callCount).to.equal(1)
    expect(delays).to.deep.equal([])
  })
})
