import { expect } from 'chai'
import sinon from 'sinon'
import { of, type Observable } from 'rxjs'
import type { TestScheduler } from 'rxjs/testing'
import { groupCommit } from '../../../src/operators/group-commit.js'
import { testScheduler } from '../../support/marbles.js'

/** A `write` fake answering its calls, in order, with the given observables. */
const writes = (...answers: Array<Observable<string>>) => {
  const write = sinon.stub<[readonly string[]], Observable<string>>()
  answers.forEach((answer, i) => write.onCall(i).returns(answer))
  return write
}

const batches = (write: sinon.SinonStub<[readonly string[]], Observable<string>>) => write.args.map(([batch]) => batch)

describe('groupCommit', () => {
  let scheduler: TestScheduler
  beforeEach(() => {
    scheduler = testScheduler()
  })

  it('writes the first item alone and everything that arrived meanwhile in the next single write', () => {
    let write = writes()
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-bc------|')
      const first = cold(' ---1|')
      const second = cold('    --2|')
      const expected = '  ----1--2---|'
      write = writes(first, second)
      expectObservable(source.pipe(groupCommit(write))).toBe(expected)
      // never two writes at once: the second starts the frame the first completes
      expectSubscriptions(first.subscriptions).toBe('-^---!')
      expectSubscriptions(second.subscriptions).toBe('-----^--!')
    })
    expect(batches(write)).to.deep.equal([['a'], ['b', 'c']])
  })

  it('puts at most maxBatch items into one write; the rest ride the following writes', () => {
    let write = writes()
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('-abcd-------|')
      const first = cold(' --1|')
      const second = cold('   --2|')
      const third = cold('       --3|')
      const expected = '  ---1--2--3--|'
      write = writes(first, second, third)
      expectObservable(source.pipe(groupCommit(write, 2))).toBe(expected)
      expectSubscriptions(first.subscriptions).toBe('-^--!')
      expectSubscriptions(second.subscriptions).toBe('----^--!')
      expectSubscriptions(third.subscriptions).toBe('-------^--!')
    })
    expect(batches(write)).to.deep.equal([['a'], ['b', 'c'], ['d']])
  })

  it('completes only after the last write, including items still queued when the source completed', () => {
    let write = writes()
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('-ab|')
      const first = cold(' --1|')
      const second = cold('   --2|')
      const expected = '  ---1--2|'
      write = writes(first, second)
      expectObservable(source.pipe(groupCommit(write))).toBe(expected)
      expectSubscriptions(second.subscriptions).toBe('----^--!')
    })
    expect(batches(write)).to.deep.equal([['a'], ['b']])
  })

  it('completes with the source when nothing is left to write', () => {
    scheduler.run(({ hot, expectObservable }) => {
      expectObservable(hot('---|').pipe(groupCommit(writes()))).toBe('---|')
    })
  })

  it('passes an error of write on (write is meant to return failures as values)', () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const source = hot('-a--')
      const first = cold(' -#')
      expectObservable(source.pipe(groupCommit(writes(first)))).toBe('--#')
    })
  })

  it('unsubscribing cancels the write in flight', () => {
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('-a---')
      const first = cold(' -----1|')
      expectObservable(source.pipe(groupCommit(writes(first))), '^---!').toBe('----')
      expectSubscriptions(first.subscriptions).toBe('-^--!')
    })
  })

  it('unsubscribing cancels the write in flight even after a write that completed synchronously', () => {
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('-abc---')
      const first = cold(' --1|')
      const third = cold('    -----3|')
      // b's write completes during subscribe, and c's write starts from inside it
      const write = writes(first, of('2'), third)
      expectObservable(source.pipe(groupCommit(write, 1)), '^------!').toBe('---12--')
      expectSubscriptions(third.subscriptions).toBe('----^--!')
    })
  })
})
