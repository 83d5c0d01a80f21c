import { expect } from 'chai'
import { load } from '../../support/yaml.js'
import { OWNERSHIP_FORMAT, parseOwnedJobs } from '../../../src/codecs/apis/owned-jobs.js'
import { KubeErrorException, type SecretClient } from '../../../src/effects/kube/secret/kube-secret-client.js'
import type { JobEdit } from '../../../src/effects/prometheus/owned-list-edits.js'
import { fragment } from '../../../src/effects/prometheus/scrape-config-list.js'
import { federationJob, jobFingerprint } from '../../../src/effects/prometheus/scrape-job.js'
import { isSecretFull, writeBatch, type BatchWriteDeps } from '../../../src/effects/kube/secret/secret-batch-write.js'
import { TRICKY_FOREIGN } from '../../fixtures/foreign-scrape-configs.js'
import { memorySecret } from '../../support/memory-secret.js'

const job = (serviceId: string) => federationJob({ serviceId, namespaces: ['ns-1'], host: '10.0.0.4', port: 30180 })
const upsert = (serviceId: string): JobEdit => ({ op: 'upsert', job: job(serviceId) })
const remove = (jobName: string): JobEdit => ({ op: 'remove', jobName })

const memoryClient = (value: string, owned?: string) => memorySecret(value, owned === undefined ? {} : { owned })

const depsOf = (client: SecretClient): BatchWriteDeps => ({
  client,
  describe: 'ns/s key',
  maxAttempts: 3,
  sleep: () => Promise.resolve(),
  random: () => 0,
  cache: undefined,
})
const namesIn = (text: string | undefined) => ((load(text ?? '') as Array<{ job_name: string }> | null) ?? []).map((j) => j.job_name)

describe('writeBatch: ownership', () => {
  it('keeps a foreign list byte for byte and records what it added in the same PUT', async () => {
    const memory = memoryClient(TRICKY_FOREIGN)
    const { outcomes } = await writeBatch([upsert('svc-a')], depsOf(memory.client))

    expect(outcomes).to.deep.equal([{ ok: true, changed: true, wasPresent: false }])
    // appended after the last item, before the trailing comment; everything else is the same bytes
    expect(memory.current().value?.replace(fragment(job('svc-a')), '')).to.equal(TRICKY_FOREIGN)
    expect(namesIn(memory.current().value)).to.deep.equal(['blue-node', 'blue-flow', 'quoted-name', 'svc-a'])
    expect(memory.current().owned).to.equal(`{"format":"${OWNERSHIP_FORMAT}","jobs":[\n"svc-a"\n]}\n`)
  })

  it('answers a create named like a foreign job with a conflict and changes nothing', async () => {
    const memory = memoryClient(TRICKY_FOREIGN)
    const { outcomes, report } = await writeBatch([upsert('blue-node')], depsOf(memory.client))

    expect(outcomes).to.have.length(1)
    expect(outcomes[0]).to.include({ ok: false, retryable: false })
    expect(outcomes[0])
      .to.have.property('reason')
      .that.matches(/job_name "blue-node" is held by a job this service did not create/)
    expect(report.written).to.equal(false)
    expect(memory.current()).to.deep.equal({ resourceVersion: '1', value: TRICKY_FOREIGN, owned: undefined })
  })

  it('never removes a job it does not own: the delete changes nothing and says nothing was registered', async () => {
    const memory = memoryClient(TRICKY_FOREIGN)
    const { outcomes, report } = await writeBatch([remove('quoted-name')], depsOf(memory.client))

    expect(outcomes).to.deep.equal([{ ok: true, changed: false, wasPresent: false }])
    expect(report.written).to.equal(false)
    expect(memory.current().value).to.equal(TRICKY_FOREIGN)
  })

  it('removes its own job and gives the foreign text back exactly', async () => {
    const memory = memoryClient(TRICKY_FOREIGN)
    const deps = depsOf(memory.client)
    await writeBatch([upsert('svc-a'), upsert('svc-b')], deps)
    const { outcomes } = await writeBatch([remove('svc-a'), remove('svc-b')], deps)

    expect(outcomes).to.deep.equal([
      { ok: true, changed: true, wasPresent: true },
      { ok: true, changed: true, wasPresent: true },
    ])
    expect(memory.current().value).to.equal(TRICKY_FOREIGN)
    expect(parseOwnedJobs(memory.current().owned)).to.deep.equal({ _tag: 'Right', right: new Set() })
  })

  it('empties to `[]` and back when it owned every job', async () => {
    const memory = memoryClient('[]\n')
    const deps = depsOf(memory.client)
    await writeBatch([upsert('svc-a')], deps)
    expect(namesIn(memory.current().value)).to.deep.equal(['svc-a'])
    await writeBatch([remove('svc-a')], deps)
    expect(memory.current().value).to.equal('[]\n')
  })
})

// issue #18 item 2: the log (the `recorded` fingerprint) is the authority when the record lost a job
describe('writeBatch: a lost ownership record', () => {
  const written = (serviceId: string) => `${TRICKY_FOREIGN}${fragment(job(serviceId))}`
  const recorded = (serviceId: string) => jobFingerprint(job(serviceId))

  it('removes a job missing from the record when it is exactly what the log recorded, and says the record was lost', async () => {
    const memory = memoryClient(written('svc-a'))
    const { outcomes } = await writeBatch([{ op: 'remove', jobName: 'svc-a', recorded: recorded('svc-a') }], depsOf(memory.client))

    expect(outcomes[0]).to.include({ ok: true, changed: true, wasPresent: true })
    expect(outcomes[0])
      .to.have.property('lostRecord')
      .that.matches(/treated as the service's own/)
    expect(memory.current().value).to.equal(TRICKY_FOREIGN)
  })

  it('refuses a delete of a job the log recorded but that differs now, naming the lost record; nothing changes', async () => {
    const memory = memoryClient(written('svc-a').replace('10.0.0.4:30180', '10.0.0.5:30180'))
    const before = memory.current()
    const { outcomes, report } = await writeBatch([{ op: 'remove', jobName: 'svc-a', recorded: recorded('svc-a') }], depsOf(memory.client))

    expect(outcomes[0]).to.include({ ok: false, retryable: false })
    expect(outcomes[0])
      .to.have.property('reason')
      .that.matches(/job_name "svc-a" is not in the ownership record telemetry-client\.owned\.json although the event log says this service registered it/)
    expect(outcomes[0]).to.have.property('lostRecord')
    expect(report.written).to.equal(false)
    expect(memory.current()).to.deep.equal(before)
  })

  it('an update of a job the log recorded rewrites it and records it again (no false conflict)', async () => {
    const memory = memoryClient(written('svc-a'))
    const next = federationJob({ serviceId: 'svc-a', namespaces: ['ns-2'], host: '10.0.0.4', port: 30180 })
    const { outcomes } = await writeBatch([{ op: 'upsert', job: next, recorded: recorded('svc-a') }], depsOf(memory.client))

    expect(outcomes[0]).to.include({ ok: true })
    expect(memory.current().value).to.equal(`${TRICKY_FOREIGN}${fragment(next)}`)
    expect(parseOwnedJobs(memory.current().owned)).to.deep.equal({ _tag: 'Right', right: new Set(['svc-a']) })
  })

  it('without a recorded job (the log says none) a job of that name stays foreign, as before', async () => {
    const memory = memoryClient(written('svc-a'))
    const { outcomes } = await writeBatch([remove('svc-a')], depsOf(memory.client))
    expect(outcomes).to.deep.equal([{ ok: true, changed: false, wasPresent: false }])
  })
})

describe('writeBatch: no cache turns a change into a no-op', () => {
  it('B caches, A adds X, B removes X: X is gone and B reports it removed', async () => {
    const memory = memoryClient('[]\n')
    const writerA = depsOf(memory.client)
    const writerB = depsOf(memory.client)
    await writeBatch([upsert('other')], writerB) // B's cache has no X

    await writeBatch([upsert('svc-x')], writerA)
    const { outcomes, report } = await writeBatch([remove('svc-x')], writerB)

    expect(outcomes).to.deep.equal([{ ok: true, changed: true, wasPresent: true }])
    expect(report.written).to.equal(true)
    expect(namesIn(memory.current().value)).to.deep.equal(['other'])
  })

  it('mirror: B caches X, A removes X, B registers X again: X is back (no lost job)', async () => {
    const memory = memoryClient('[]\n')
    const writerA = depsOf(memory.client)
    const writerB = depsOf(memory.client)
    await writeBatch([upsert('svc-x')], writerB) // B's cache has X
    await writeBatch([remove('svc-x')], writerA)

    const { outcomes, report } = await writeBatch([upsert('svc-x')], writerB)

    expect(outcomes).to.deep.equal([{ ok: true, changed: true, wasPresent: false }])
    expect(report.written).to.equal(true)
    expect(namesIn(memory.current().value)).to.deep.equal(['svc-x'])
  })
})

describe('writeBatch: the secret is full', () => {
  it('a 422 "Too long" (classified too-large at the door) fails the creates of the batch as "full", with the sizes; its deletes still go through', async () => {
    const memory = memoryClient('[]\n')
    const deps = depsOf(memory.client)
    await writeBatch([upsert('svc-a')], deps)
    const replace = memory.client.replace.bind(memory.client)
    let refused = 0
    memory.client.replace = (value, resourceVersion, owned) => {
      if (value.includes('svc-new')) {
        refused += 1
        return Promise.reject(
          new KubeErrorException({
            kind: 'too-large',
            status: 422,
            limitBytes: 1048576,
            message: 'Secret "s" is invalid: data: Too long: must have at most 1048576 bytes',
          }),
        )
      }
      return replace(value, resourceVersion, owned)
    }

    const { outcomes, report } = await writeBatch([upsert('svc-new'), remove('svc-a')], deps)

    expect(refused).to.equal(1)
    expect(outcomes[0]).to.include({ ok: false, retryable: false })
    expect(outcomes[0])
      .to.have.property('reason')
      .that.matches(/secret ns\/s key is full: .*Too long.*the job was not added/)
    const first = outcomes[0]
    if (first === undefined || !isSecretFull(first)) throw new Error('expected a full outcome')
    expect(first.full.limitBytes).to.equal(1048576)
    expect(first.full.bytes).to.be.greaterThan(Buffer.byteLength(fragment(job('svc-new'))))
    expect(outcomes[1]).to.deep.equal({ ok: true, changed: true, wasPresent: true })
    expect(report.written).to.equal(true)
    expect(memory.current().value).to.equal('[]\n')
  })
})

describe('writeBatch: an operator edit planned against a job (expect)', () => {
  const planned = jobFingerprint(job('svc-a'))

  it('removes or replaces the job only while it is the one planned with', async () => {
    const memory = memoryClient('')
    await writeBatch([upsert('svc-a')], depsOf(memory.client))
    const { outcomes } = await writeBatch([{ op: 'remove', jobName: 'svc-a', expect: planned }], depsOf(memory.client))
    expect(outcomes).to.deep.equal([{ ok: true, changed: true, wasPresent: true }])
    expect(namesIn(memory.current().value)).to.deep.equal([])
  })

  it('refuses, changing nothing, when the job in place changed since the plan (or appeared, or went)', async () => {
    const memory = memoryClient('')
    await writeBatch([{ op: 'upsert', job: federationJob({ serviceId: 'svc-a', namespaces: ['ns-2'], host: '10.0.0.4', port: 30180 }) }], depsOf(memory.client))
    const before = memory.current()
    const { outcomes } = await writeBatch(
      [
        { op: 'remove', jobName: 'svc-a', expect: planned },
        { op: 'upsert', job: job('svc-a'), expect: null },
        { op: 'upsert', job: job('svc-b'), expect: planned },
      ],
      depsOf(memory.client),
    )
    expect(outcomes.map((o) => o.ok)).to.deep.equal([false, false, false])
    expect(outcomes[0]).to.deep.include({ retryable: false })
    expect(!outcomes[0]!.ok && outcomes[0]!.reason).to.match(
      /^job_name "svc-a" changed since it was planned \(fingerprint [0-9a-f]+, planned with [0-9a-f]+\) in secret ns\/s key; nothing was changed$/,
    )
    expect(!outcomes[2]!.ok && outcomes[2]!.reason).to.match(/fingerprint none, absent, planned with/)
    expect(memory.current()).to.equal(before)
  })
})
