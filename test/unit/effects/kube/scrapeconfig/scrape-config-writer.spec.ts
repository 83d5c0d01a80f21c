import { expect } from 'chai'
import { firstValueFrom, lastValueFrom, merge } from 'rxjs'
import { KubeErrorException } from '../../../../../src/effects/kube/kube-error.js'
import { ForeignScrapeConfigError, type ScrapeConfigApplier } from '../../../../../src/effects/kube/scrapeconfig/scrape-config-applier.js'
import { createScrapeConfigWriter } from '../../../../../src/effects/kube/scrapeconfig/scrape-config-writer.js'
import { federationJob } from '../../../../../src/effects/prometheus/scrape-job.js'

const job = federationJob({ serviceId: 'svc-1', namespaces: ['ns'], host: '10.0.0.1', port: 9090 })

/** An applier whose calls answer from a script, one entry per call, and that counts concurrency. */
const scripted = (answers: Array<() => Promise<unknown>>) => {
  const calls: string[] = []
  let inFlight = 0
  let maxInFlight = 0
  const next = async <T>(call: string): Promise<T> => {
    calls.push(call)
    inFlight += 1
    maxInFlight = Math.max(maxInFlight, inFlight)
    try {
      const answer = answers.shift()
      return (await (answer ?? (() => Promise.resolve(undefined)))()) as T
    } finally {
      inFlight -= 1
    }
  }
  const applier: ScrapeConfigApplier = {
    apply: () => next('apply'),
    remove: () => next('remove'),
    read: () => next('read'),
    listOwn: () => next('listOwn'),
    probe: () => next('probe'),
  }
  return { applier, calls, maxInFlight: () => maxInFlight }
}
const STATUS = { retryable: 503, conflict: 409, forbidden: 403 } as const
/** An apiserver answer with its status (`null`: the call got no answer at all) */
const fail =
  (kind: 'retryable' | 'conflict' | 'forbidden', message: string = kind, status: number | null = STATUS[kind]) =>
  () =>
    Promise.reject(new KubeErrorException({ kind, message, ...(status === null ? {} : { status }) }))
const noSleep = () => Promise.resolve()

describe('scrape-config-writer', () => {
  it('applies an upsert and answers ok', async () => {
    const { applier, calls } = scripted([() => Promise.resolve({})])
    const writer = createScrapeConfigWriter({ applier, maxInFlight: 2, sleep: noSleep })
    expect(await firstValueFrom(writer.submit({ op: 'upsert', job }))).to.deep.equal({ ok: true, changed: true, wasPresent: true })
    expect(calls).to.deep.equal(['apply'])
  })

  it('is cold: nothing is written until subscribed', async () => {
    const { applier, calls } = scripted([])
    const writer = createScrapeConfigWriter({ applier, maxInFlight: 2, sleep: noSleep })
    const edit$ = writer.submit({ op: 'upsert', job })
    expect(calls).to.deep.equal([])
    await lastValueFrom(edit$)
    expect(calls).to.deep.equal(['apply'])
  })

  it('refuses a foreign object of the same name for good (no retry)', async () => {
    const { applier, calls } = scripted([
      () => Promise.reject(new ForeignScrapeConfigError({ kind: 'conflict', status: 409, message: 'exists and was not created by this service' })),
    ])
    const writer = createScrapeConfigWriter({ applier, maxInFlight: 2, sleep: noSleep })
    expect(await firstValueFrom(writer.submit({ op: 'upsert', job }))).to.deep.equal({
      ok: false,
      reason: 'exists and was not created by this service',
      retryable: false,
    })
    expect(calls).to.have.length(1)
  })

  it('retries transient answers and lost preconditions, then succeeds', async () => {
    const { applier, calls } = scripted([fail('retryable', '503'), fail('conflict', 'uid precondition'), () => Promise.resolve({})])
    const slept: number[] = []
    const attempts: string[] = []
    const writer = createScrapeConfigWriter({
      applier,
      maxInFlight: 2,
      sleep: (ms) => (slept.push(ms), Promise.resolve()),
      random: () => 0.5,
      onAttempt: (op, outcome) => attempts.push(`${op}:${outcome}`),
    })
    expect((await firstValueFrom(writer.submit({ op: 'upsert', job }))).ok).to.equal(true)
    expect(calls).to.have.length(3)
    expect(slept).to.deep.equal([50, 100])
    expect(attempts).to.deep.equal(['upsert:retried', 'upsert:retried', 'upsert:ok'])
  })

  it("gives up after maxAttempts as retryable, so the request's patience takes over", async () => {
    const { applier, calls } = scripted([fail('retryable', '503'), fail('retryable', '503'), fail('retryable', '503')])
    const writer = createScrapeConfigWriter({ applier, maxInFlight: 2, maxAttempts: 3, sleep: noSleep })
    const outcome = await firstValueFrom(writer.submit({ op: 'upsert', job }))
    expect(outcome).to.deep.equal({ ok: false, reason: 'Kubernetes refused the ScrapeConfig write: 503 (after 3 attempts)', retryable: true })
    expect(calls).to.have.length(3)
  })

  it('gives up after a call that got no answer as one that may have landed (the undo takes it back)', async () => {
    const { applier } = scripted([fail('retryable', 'no answer within 10000 ms', null), fail('retryable', '503'), fail('retryable', '503')])
    const writer = createScrapeConfigWriter({ applier, maxInFlight: 2, maxAttempts: 3, sleep: noSleep })
    const outcome = await firstValueFrom(writer.submit({ op: 'upsert', job }))
    expect(outcome).to.include({ ok: false, retryable: true, mayHaveLanded: true })
  })

  it('answers a permission problem at once, not retryable', async () => {
    const { applier } = scripted([fail('forbidden', 'scrapeconfigs is forbidden')])
    const writer = createScrapeConfigWriter({ applier, maxInFlight: 2, sleep: noSleep })
    expect(await firstValueFrom(writer.submit({ op: 'remove', jobName: 'svc-1' }))).to.deep.equal({
      ok: false,
      reason: 'Kubernetes refused the ScrapeConfig update: scrapeconfigs is forbidden',
      retryable: false,
    })
  })

  it('reports a remove as present only when it removed the object; a foreign one is left and is no error', async () => {
    for (const [answer, wasPresent] of [
      ['removed', true],
      ['absent', false],
      ['foreign', false],
    ] as const) {
      const { applier } = scripted([() => Promise.resolve(answer)])
      const writer = createScrapeConfigWriter({ applier, maxInFlight: 2, sleep: noSleep })
      expect(await firstValueFrom(writer.submit({ op: 'remove', jobName: 'svc-1' })), answer).to.deep.equal({ ok: true, changed: wasPresent, wasPresent })
    }
  })

  it('refuses adopt: ownership of a ScrapeConfig is its label and annotation', async () => {
    const { applier, calls } = scripted([])
    const writer = createScrapeConfigWriter({ applier, maxInFlight: 2, sleep: noSleep })
    const outcome = await firstValueFrom(writer.submit({ op: 'adopt', jobName: 'svc-1', fingerprint: 'f' }))
    expect(outcome.ok).to.equal(false)
    expect(calls).to.deep.equal([])
  })

  it('keeps at most maxInFlight apiserver calls at once', async () => {
    const slow = () => new Promise((resolve) => setTimeout(() => resolve({}), 5))
    const { applier, maxInFlight } = scripted(Array.from({ length: 10 }, () => slow))
    const writer = createScrapeConfigWriter({ applier, maxInFlight: 3, sleep: noSleep })
    await lastValueFrom(merge(...Array.from({ length: 10 }, () => writer.submit({ op: 'upsert', job }))))
    expect(maxInFlight()).to.equal(3)
  })

  it('an operator edit planned against a job reads the object first and changes nothing when it is not that job', async () => {
    const { applier, calls } = scripted([() => Promise.resolve(undefined)])
    const writer = createScrapeConfigWriter({ applier, maxInFlight: 1, sleep: noSleep })
    const outcome = await firstValueFrom(writer.submit({ op: 'remove', jobName: 'svc-1', expect: 'f00d' }))
    expect(outcome).to.deep.equal({
      ok: false,
      reason: 'the ScrapeConfig of job svc-1 changed since it was planned (fingerprint none, absent, planned with f00d); nothing was changed',
      retryable: false,
    })
    expect(calls).to.deep.equal(['read'])
  })

  it('an operator edit planned against the absence of a job goes ahead when there is still none', async () => {
    const { applier, calls } = scripted([() => Promise.resolve(undefined), () => Promise.resolve({})])
    const writer = createScrapeConfigWriter({ applier, maxInFlight: 1, sleep: noSleep })
    expect((await firstValueFrom(writer.submit({ op: 'upsert', job, expect: null }))).ok).to.equal(true)
    expect(calls).to.deep.equal(['read', 'apply'])
  })
})
