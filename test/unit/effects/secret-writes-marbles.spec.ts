import { expect } from 'chai'
import { map, throwError, type Observable } from 'rxjs'
import type { TestScheduler } from 'rxjs/testing'
import type { JobChange } from '../../../src/effects/prometheus/scrape-config-list.js'
import type { JobEdit } from '../../../src/effects/prometheus/owned-list-edits.js'
import { federationJob } from '../../../src/effects/prometheus/scrape-job.js'
import type { BatchReport, JobEditOutcome } from '../../../src/effects/kube/secret/secret-batch-write.js'
import { secretWrites$, type QueuedEdit } from '../../../src/effects/kube/secret/secret-writer.js'
import { testScheduler, timeline, type Timeline } from '../../support/marbles.js'

type WriteResult = { outcomes: readonly JobEditOutcome[]; report: BatchReport }

/** Edits are named `<op><service>`: 'ux' upserts the job of service x, 'rx' removes it. */
const editOf = (name: string): JobChange =>
  name.startsWith('u')
    ? { op: 'upsert', job: federationJob({ serviceId: name.slice(1), namespaces: ['ns-1'], host: '10.0.0.4', port: 30180 }) }
    : { op: 'remove', jobName: name.slice(1) }
const nameOf = (edit: JobEdit): string => (edit.op === 'upsert' ? `u${edit.job.job_name}` : edit.op === 'adopt' ? `a${edit.jobName}` : `r${edit.jobName}`)

const report = (edits: number): BatchReport => ({ edits, written: true, attempts: 1, conflicts: 0, bytes: 100 * edits })
const wrote = (edits: number): WriteResult => ({
  outcomes: Array.from({ length: edits }, () => ({ ok: true, changed: true, wasPresent: false })),
  report: report(edits),
})

/** The Kubernetes write as cold fakes, one per write in call order; `batches` records the edits each write carried. */
const writesAnswering = (fakes: ReadonlyArray<Observable<WriteResult>>) => {
  const batches: string[][] = []
  const write = (edits: readonly JobEdit[]) => {
    batches.push(edits.map(nameOf))
    return fakes[batches.length - 1] ?? throwError(() => new Error(`no fake for write ${batches.length}`))
  }
  return { write, batches }
}

/** Turns edit names into queued edits whose replies are recorded, with their frame, as `<edit>:<ok or reason>`. */
const asTickets = (replies: Timeline<string>) =>
  map((name: string): QueuedEdit => ({
    edit: editOf(name),
    reply: (outcome) => replies.record(`${name}:${outcome.ok ? 'ok' : outcome.reason}`),
  }))

describe('secretWrites$ (marbles)', () => {
  let scheduler: TestScheduler
  let replies: Timeline<string>
  let batches: readonly string[][]
  beforeEach(() => {
    scheduler = testScheduler()
    replies = timeline<string>(scheduler)
    batches = []
  })

  it('writes the first edit alone and everything that queued meanwhile in the next single write', () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const edits = hot('   -abc------|', { a: 'ux', b: 'uy', c: 'uz' })
      const first = cold('   ---w|', { w: wrote(1) })
      const second = cold('      --w|', { w: wrote(2) })
      const expected = '    ----1--2--|'
      const fake = writesAnswering([first, second])
      batches = fake.batches

      expectObservable(secretWrites$(edits.pipe(asTickets(replies)), fake.write)).toBe(expected, { 1: report(1), 2: report(2) })
    })
    expect(batches).to.deep.equal([['ux'], ['uy', 'uz']])
  })

  it("keeps one service's edits in submission order: a write starts only after the previous one completed", () => {
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      // x's job is registered, then removed: if the writes overlapped, the removal could land first
      const edits = hot('   -ab-------|', { a: 'ux', b: 'rx' })
      const upsert = cold('  ----w|', { w: wrote(1) })
      const remove = cold('       -w|', { w: wrote(1) })
      const expected = '    -----1-2--|'
      const fake = writesAnswering([upsert, remove])
      batches = fake.batches

      expectObservable(secretWrites$(edits.pipe(asTickets(replies)), fake.write)).toBe(expected, { 1: report(1), 2: report(1) })
      expectSubscriptions(upsert.subscriptions).toBe('-^----!')
      expectSubscriptions(remove.subscriptions).toBe('------^-!')
    })
    expect(batches).to.deep.equal([['ux'], ['rx']])
  })

  it('answers each submitter when the write that carried its edit completes', () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const edits = hot('   -ab-----', { a: 'ux', b: 'uy' })
      const first = cold('   --w|', { w: wrote(1) })
      const second = cold('     ---w|', { w: wrote(1) })
      expectObservable(secretWrites$(edits.pipe(asTickets(replies)), writesAnswering([first, second]).write)).toBe('---1---2', {
        1: report(1),
        2: report(1),
      })
    })
    expect(replies.entries).to.deep.equal([
      [3, 'ux:ok'],
      [7, 'uy:ok'],
    ])
  })

  it('answers every waiter of a write that errored with a retryable failure, and goes on with the next write', () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const edits = hot('   -ab------', { a: 'ux', b: 'uy' })
      const crashed = cold<WriteResult>(' --#', undefined, new Error('socket hang up'))
      const next = cold('      --w|', { w: wrote(1) })
      const reason = 'secret write crashed: Error: socket hang up'
      const expected = '    ---c-1---'

      expectObservable(secretWrites$(edits.pipe(asTickets(replies)), writesAnswering([crashed, next]).write)).toBe(expected, {
        c: { edits: 1, written: false, attempts: 1, conflicts: 0, bytes: 0, error: reason },
        1: report(1),
      })
    })
    expect(replies.entries).to.deep.equal([
      [3, 'ux:secret write crashed: Error: socket hang up'],
      [5, 'uy:ok'],
    ])
  })
})
