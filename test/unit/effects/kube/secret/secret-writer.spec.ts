import { expect } from 'chai'
import { Subject, lastValueFrom, toArray, type Subscription } from 'rxjs'
import type { JobEdit } from '../../../../../src/effects/prometheus/owned-list-edits.js'
import { federationJob } from '../../../../../src/effects/prometheus/scrape-job.js'
import type { BatchReport, JobEditOutcome } from '../../../../../src/effects/kube/secret/secret-batch-write.js'
import { createSecretWriter, secretWrites$, submitAll, type QueuedEdit } from '../../../../../src/effects/kube/secret/secret-writer.js'
import { memorySecret } from '../../../../support/memory-secret.js'

type WriteResult = { outcomes: readonly JobEditOutcome[]; report: BatchReport }

const upsert = (serviceId: string): JobEdit => ({
  op: 'upsert',
  job: federationJob({ serviceId, namespaces: ['ns-1'], host: '10.0.0.4', port: 30180 }),
})
const nameOf = (edit: JobEdit): string => (edit.op === 'upsert' ? edit.job.job_name : edit.jobName)

/** Lets every settled promise run its continuations (the writer is Promise-based; no virtual time here). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

/** A write fake whose calls stay pending until the test resolves or rejects them, one by one. */
const controlledWrite = () => {
  const calls: Array<{ names: string[]; resolve: (result: WriteResult) => void; reject: (error: unknown) => void }> = []
  const write = (edits: readonly JobEdit[]) => new Promise<WriteResult>((resolve, reject) => calls.push({ names: edits.map(nameOf), resolve, reject }))
  return { write, calls }
}

const ok = (n: number): JobEditOutcome => ({ ok: true, changed: true, wasPresent: n % 2 === 0 })
const report = (edits: number): BatchReport => ({ edits, written: true, attempts: 1, conflicts: 0, bytes: 100 * edits })

describe('secretWrites$', () => {
  let queued: Subject<QueuedEdit>
  let replies: Map<string, JobEditOutcome[]>
  let reports: BatchReport[]
  let subscription: Subscription
  const submit = (serviceId: string) => {
    replies.set(serviceId, [])
    queued.next({ edit: upsert(serviceId), reply: (outcome) => replies.get(serviceId)?.push(outcome) })
  }

  const start = (write: (edits: readonly JobEdit[]) => Promise<WriteResult>) => {
    queued = new Subject<QueuedEdit>()
    replies = new Map()
    reports = []
    subscription = secretWrites$(queued, write).subscribe((r) => reports.push(r))
  }
  afterEach(() => subscription.unsubscribe())

  /** `a` is being written; `b` and `c` arrived meanwhile and wait for the next write. */
  const aWriteInFlightAndTwoWaiting = async () => {
    const { write, calls } = controlledWrite()
    start(write)
    submit('a')
    await settle()
    submit('b')
    submit('c')
    return calls
  }

  it('answers each queued edit with the outcome of the batch that carried it', async () => {
    const { write, calls } = controlledWrite()
    start(write)
    submit('a')
    submit('b')
    submit('c')
    await settle()
    expect(calls.map((c) => c.names)).to.deep.equal([['a']])

    calls[0]?.resolve({ outcomes: [ok(1)], report: report(1) })
    await settle()
    expect(replies.get('a')).to.deep.equal([ok(1)])
    expect(replies.get('b')).to.deep.equal([])
    // b and c piled up during the first write and ride the second one together
    expect(calls.map((c) => c.names)).to.deep.equal([['a'], ['b', 'c']])

    calls[1]?.resolve({ outcomes: [ok(2), ok(3)], report: report(2) })
    await settle()
    expect(replies.get('b')).to.deep.equal([ok(2)])
    expect(replies.get('c')).to.deep.equal([ok(3)])
    expect(reports).to.deep.equal([report(1), report(2)])
  })

  it('a crashing write answers every waiter with a retryable failure, and the next batch is still written', async () => {
    const calls = await aWriteInFlightAndTwoWaiting()
    calls[0]?.reject(new Error('disk on fire'))
    await settle()

    const failure: JobEditOutcome = { ok: false, reason: 'secret write crashed: Error: disk on fire', retryable: true }
    expect(replies.get('a')).to.deep.equal([failure])
    expect(reports[0]).to.deep.equal({ edits: 1, written: false, attempts: 1, conflicts: 0, bytes: 0, error: failure.reason })
    expect(calls.map((c) => c.names)).to.deep.equal([['a'], ['b', 'c']])

    calls[1]?.resolve({ outcomes: [ok(2), ok(3)], report: report(2) })
    await settle()
    expect(replies.get('b')).to.deep.equal([ok(2)])
    expect(replies.get('c')).to.deep.equal([ok(3)])
    expect(subscription.closed).to.equal(false)
  })

  it('a write that throws before returning a promise is answered the same way', async () => {
    start(() => {
      throw new Error('sync boom')
    })
    submit('a')
    await settle()
    expect(replies.get('a')).to.deep.equal([{ ok: false, reason: 'secret write crashed: Error: sync boom', retryable: true }])
    expect(subscription.closed).to.equal(false)
  })

  it('a batch answered with too few outcomes fails the edits left without one', async () => {
    const calls = await aWriteInFlightAndTwoWaiting()
    calls[0]?.resolve({ outcomes: [ok(1)], report: report(1) })
    await settle()
    calls[1]?.resolve({ outcomes: [ok(2)], report: report(2) })
    await settle()
    expect(replies.get('b')).to.deep.equal([ok(2)])
    expect(replies.get('c')).to.deep.equal([{ ok: false, reason: 'no outcome', retryable: true }])
  })
})

describe('createSecretWriter', () => {
  /** The Secret's PUT lets the writer's other work run before it answers. */
  const pausingSecret = () => memorySecret('', { duringReplace: settle })

  it('submit answers each edit; simultaneous edits share writes and never run two at once', async () => {
    const { client, current, replaces } = pausingSecret()
    const writer = createSecretWriter({ client, describe: 'ns/secret key', sleep: () => Promise.resolve() })
    try {
      const edits = ['a', 'b', 'c', 'd'].map(upsert)
      const outcomes = await lastValueFrom(submitAll(writer, edits).pipe(toArray()))

      expect(outcomes).to.have.length(4)
      expect(outcomes.every((o) => o.ok)).to.equal(true)
      // the first edit goes alone, the three that piled up meanwhile share the second write
      expect(replaces()).to.equal(2)
      expect(writer.stats).to.include({ editsSubmitted: 4, batches: 2, writes: 2, conflicts: 0, maxInFlight: 1, inFlight: 0 })
      expect(current().value).to.contain('job_name: a').and.to.contain('job_name: d')
    } finally {
      writer.close()
    }
  })

  it('submit is cold: nothing is written until it is subscribed', async () => {
    const { client, replaces } = pausingSecret()
    const writer = createSecretWriter({ client, describe: 'ns/secret key' })
    try {
      const outcome$ = writer.submit(upsert('a'))
      await settle()
      expect(replaces()).to.equal(0)
      expect(await lastValueFrom(outcome$)).to.deep.equal({ ok: true, changed: true, wasPresent: false })
      expect(replaces()).to.equal(1)
    } finally {
      writer.close()
    }
  })
})
