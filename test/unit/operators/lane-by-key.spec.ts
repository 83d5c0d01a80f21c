import { expect } from 'chai'
import { Subject, of, throwError, type Observable } from 'rxjs'
import type { TestScheduler } from 'rxjs/testing'
import { laneByKey, type LaneOptions } from '../../../src/operators/lane-by-key.js'
import { testScheduler, timeline } from '../../support/marbles.js'

/** Items are named `<key><n>` ('x1', 'x2', 'y1'): the key is the first letter. */
const keyOf = (item: string): string => item.slice(0, 1)

/** A handler that answers each item with its own cold fake, so each fake's subscriptions show when it ran. */
const handlers =
  (inner: Readonly<Record<string, Observable<string>>>) =>
  (item: string): Observable<string> =>
    inner[item] ?? throwError(() => new Error(`no fake for ${item}`))

const lanes = (scheduler: TestScheduler, inner: Readonly<Record<string, Observable<string>>>, options: Partial<LaneOptions> = {}) =>
  laneByKey(keyOf, handlers(inner), { maxActive: 2, idleMs: 100, scheduler, ...options })

describe('laneByKey', () => {
  let scheduler: TestScheduler
  beforeEach(() => {
    scheduler = testScheduler()
  })

  it('runs the items of one key one after another: the second is subscribed only when the first completes', () => {
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b------|', { a: 'x1', b: 'x2' })
      const x1 = cold('    ---1|')
      const x2 = cold('        ---2|')
      const expected = '  ----1---2-|'

      expectObservable(source.pipe(lanes(scheduler, { x1, x2 }))).toBe(expected)
      // with mergeMap semantics x2 would be subscribed at frame 3, while x1 still runs
      expectSubscriptions(x1.subscriptions).toBe('-^---!')
      expectSubscriptions(x2.subscriptions).toBe('-----^---!')
    })
  })

  it('without coalesce, every queued item of a key runs, in arrival order', () => {
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('-abc----|', { a: 'x1', b: 'x2', c: 'x3' })
      const x1 = cold('    -1|')
      const x2 = cold('      -2|')
      const x3 = cold('        -3|')
      const expected = '  --1-2-3-|'

      expectObservable(source.pipe(lanes(scheduler, { x1, x2, x3 }))).toBe(expected)
      expectSubscriptions(x1.subscriptions).toBe('-^-!')
      expectSubscriptions(x2.subscriptions).toBe('---^-!')
      expectSubscriptions(x3.subscriptions).toBe('-----^-!')
    })
  })

  it('runs different keys in parallel', () => {
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b----|', { a: 'x1', b: 'y1' })
      const x1 = cold('    ---1|')
      const y1 = cold('      ---2|')
      const expected = '  ----1-2-|'

      expectObservable(source.pipe(lanes(scheduler, { x1, y1 }))).toBe(expected)
      expectSubscriptions(x1.subscriptions).toBe('-^---!')
      expectSubscriptions(y1.subscriptions).toBe('---^---!')
    })
  })

  it('runs at most maxActive lanes at once; lanes waiting for a slot get it in FIFO order', () => {
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('-abcd--------------|', { a: 'x1', b: 'y1', c: 'z1', d: 'w1' })
      const x1 = cold('    ----1|')
      const y1 = cold('     -------2|')
      const z1 = cold('         --3|')
      const w1 = cold('            -4|')
      const expected = '  -----1--324--------|'

      expectObservable(source.pipe(lanes(scheduler, { x1, y1, z1, w1 }, { maxActive: 2 }))).toBe(expected)
      expectSubscriptions(x1.subscriptions).toBe('-^----!')
      expectSubscriptions(y1.subscriptions).toBe('--^-------!')
      // z waited first, so it takes the first free slot (x's); w takes the next one
      expectSubscriptions(z1.subscriptions).toBe('------^--!')
      expectSubscriptions(w1.subscriptions).toBe('---------^-!')
    })
  })

  it('coalesce keeps only the newest waiting item of a lane', () => {
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('-abcd------|', { a: 'x1', b: 'x2', c: 'x3', d: 'x4' })
      const x1 = cold('    -----1|')
      const x2 = cold('     -2|')
      const x3 = cold('      -3|')
      const x4 = cold('          -4|')
      const expected = '  ------1-4--|'

      expectObservable(source.pipe(lanes(scheduler, { x1, x2, x3, x4 }, { coalesce: true }))).toBe(expected)
      expectSubscriptions(x1.subscriptions).toBe('-^-----!')
      expectSubscriptions(x2.subscriptions).toBe([])
      expectSubscriptions(x3.subscriptions).toBe([])
      expectSubscriptions(x4.subscriptions).toBe('-------^-!')
    })
  })

  describe('idle lanes', () => {
    it('releases a lane idleMs after its last item finished', () => {
      const counts = timeline<number>(scheduler)
      scheduler.run(({ hot, cold, expectObservable }) => {
        const source = hot('-a', { a: 'x1' })
        const x1 = cold('    --1|')
        expectObservable(source.pipe(lanes(scheduler, { x1 }, { idleMs: 5, onLaneCount: counts.record }))).toBe('---1')
      })
      // opened at 1, x1 done at 4, released at 4 + 5
      expect(counts.entries).to.deep.equal([
        [1, 1],
        [9, 0],
      ])
    })

    it('does not release a lane while its item runs, however long', () => {
      const counts = timeline<number>(scheduler)
      scheduler.run(({ hot, cold, expectObservable }) => {
        const source = hot('-a', { a: 'x1' })
        const x1 = cold('    ---------1|')
        expectObservable(source.pipe(lanes(scheduler, { x1 }, { idleMs: 2, onLaneCount: counts.record }))).toBe('----------1')
      })
      expect(counts.entries).to.deep.equal([
        [1, 1],
        [13, 0],
      ])
    })

    it('a new item cancels a pending release; a released lane reopens on the next item', () => {
      const counts = timeline<number>(scheduler)
      scheduler.run(({ hot, cold, expectObservable }) => {
        const source = hot('-a-----b------------c', { a: 'x1', b: 'x2', c: 'x3' })
        const x1 = cold('    --1|')
        const x2 = cold('          --2|')
        const x3 = cold('                       -3|')
        const expected = '  ---1-----2-----------3'
        expectObservable(source.pipe(lanes(scheduler, { x1, x2, x3 }, { idleMs: 5, onLaneCount: counts.record }))).toBe(expected)
      })
      // x1 done at 4 would release at 9, but x2 arrives at 7; x2 done at 10 → released at 15
      expect(counts.entries).to.deep.equal([
        [1, 1],
        [15, 0],
        [20, 1],
        [27, 0],
      ])
    })

    it('an item arriving long after idleMs while the old item still runs waits for it (no overlap)', () => {
      const counts = timeline<number>(scheduler)
      scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
        const source = hot('-a----b', { a: 'x1', b: 'x2' })
        const x1 = cold('    ----------1|')
        const x2 = cold('               -2|')
        const expected = '  -----------1-2'
        expectObservable(source.pipe(lanes(scheduler, { x1, x2 }, { idleMs: 2, onLaneCount: counts.record }))).toBe(expected)
        expectSubscriptions(x1.subscriptions).toBe('-^----------!')
        expectSubscriptions(x2.subscriptions).toBe('------------^-!')
      })
      // the lane stayed open the whole time: one lane, never two instances of key x
      expect(counts.entries).to.deep.equal([
        [1, 1],
        [16, 0],
      ])
    })
  })

  it('reports a handler error via onHandlerError and moves on to the next item of that lane', () => {
    const errors: Array<readonly [string, unknown]> = []
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('-ab---|', { a: 'x1', b: 'x2' })
      const x1 = cold('    --#')
      const x2 = cold('      -2|')
      const expected = '  ----2-|'
      const onHandlerError = (key: string, error: unknown) => errors.push([key, error])
      expectObservable(source.pipe(lanes(scheduler, { x1, x2 }, { onHandlerError }))).toBe(expected)
      expectSubscriptions(x2.subscriptions).toBe('---^-!')
    })
    expect(errors).to.deep.equal([['x', 'error']])
  })

  it('completes only when the source has completed and all queued and running work is done', () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const source = hot('-ab|', { a: 'x1', b: 'y1' })
      const x1 = cold('    --1|')
      const y1 = cold('       --2|')
      // y waits for the only slot; completion waits for it too
      expectObservable(source.pipe(lanes(scheduler, { x1, y1 }, { maxActive: 1 }))).toBe('---1--2|')
    })
  })

  it('unsubscribing stops the running work', () => {
    scheduler.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('-a---', { a: 'x1' })
      const x1 = cold('    ------1|')
      expectObservable(source.pipe(lanes(scheduler, { x1 })), '^----!').toBe('-----')
      expectSubscriptions(x1.subscriptions).toBe('-^---!')
    })
  })

  it('passes a source error on', () => {
    scheduler.run(({ hot, cold, expectObservable }) => {
      const source = hot('-a-#', { a: 'x1' })
      const x1 = cold('    ----1|')
      expectObservable(source.pipe(lanes(scheduler, { x1 }))).toBe('---#')
    })
  })

  describe('synchronous handlers (no scheduler involved)', () => {
    it('handles items whose observable completes during subscribe', () => {
      const source = new Subject<string>()
      const seen: string[] = []
      let completed = false
      source.pipe(laneByKey(keyOf, (item) => of(`done ${item}`), { maxActive: 1, idleMs: 1 })).subscribe({
        next: (value) => seen.push(value),
        complete: () => (completed = true),
      })
      source.next('x1')
      source.next('x2')
      source.next('y1')
      source.complete()
      expect(seen).to.deep.equal(['done x1', 'done x2', 'done y1'])
      expect(completed).to.equal(true)
    })

    it('treats a handler that throws like one that errors', () => {
      const source = new Subject<string>()
      const errors: string[] = []
      const seen: string[] = []
      const handle = (item: string): Observable<string> => {
        if (item === 'x1') throw new Error('boom')
        return of(item)
      }
      source
        .pipe(laneByKey(keyOf, handle, { maxActive: 1, idleMs: 1, onHandlerError: (key, error) => errors.push(`${key}: ${String(error)}`) }))
        .subscribe((value) => seen.push(value))
      source.next('x1')
      source.next('x2')
      source.next('y1')
      expect(errors).to.deep.equal(['x: Error: boom'])
      expect(seen).to.deep.equal(['x2', 'y1'])
    })
  })
})
