import { expect } from 'chai'
import { map, throwError, timer, type Observable } from 'rxjs'
import type { TestScheduler } from 'rxjs/testing'
import type { ServiceEvent } from '../../../src/codecs/events.js'
import type { Step } from '../../../src/state/step.js'
import { fold } from '../../../src/state/evolve.js'
import { initialServiceState, type ServiceState } from '../../../src/state/service-state.js'
import type { AppendResult } from '../../../src/state/store/event-store.js'
import { drainService$, type DrainDeps, type DrainEvent, type DrainStore } from '../../../src/streams/service-drain.js'
import { SERVICE, createAccepted, fakeDesired, outcomeOf } from '../../fixtures/events.js'
import { testScheduler, timeline, type Timeline } from '../../support/marbles.js'

/**
 * An in-memory event store in virtual time: every call answers one frame later. Appends check
 * the expected version like the real Lua script does.
 */
const storeHolding = (log: readonly ServiceEvent[]) => {
  let current = fold(initialServiceState(SERVICE), log)
  const store: DrainStore = {
    load: () => timer(1).pipe(map(() => current)),
    append: (_id, expectedVersion, _events, snapshot): Observable<AppendResult> =>
      timer(1).pipe(
        map((): AppendResult => {
          if (expectedVersion !== current.version || snapshot === undefined) return { ok: false, actualVersion: current.version }
          current = snapshot
          return { ok: true, version: current.version }
        }),
      ),
    clearPending: () => timer(1),
  }
  return { store, state: () => current }
}

/** Every step takes two frames and records what a successful effect would; `starts` says when each began. */
const stepsTakingTwoFrames = (starts: Timeline<string>) => (step: Step, state: ServiceState) => {
  starts.record(step.type === 'upsertDashboard' ? `${step.type}:${step.role}` : step.type)
  return timer(2).pipe(map(() => outcomeOf(step, state)))
}

/** A drain event as the step it appended, or its type. */
const short = map((event: DrainEvent) => (event.type === 'appended' ? (event.step.type === 'upsertDashboard' ? event.step.role : event.step.type) : event.type))

describe('drainService$ (marbles)', () => {
  let scheduler: TestScheduler
  let starts: Timeline<string>
  beforeEach(() => {
    scheduler = testScheduler()
    starts = timeline<string>(scheduler)
  })
  const deps = (store: DrainStore, runStep: DrainDeps['runStep']): DrainDeps => ({ store, desired: fakeDesired, runStep, nowMs: () => 0 })

  it("runs a service's steps one after another, each only after the previous step's events were appended, until idle", () => {
    const { store } = storeHolding([createAccepted('r1')])
    scheduler.run(({ expectObservable }) => {
      const expected = '----r--m--l--c--p(i|)'
      expectObservable(drainService$(SERVICE, deps(store, stepsTakingTwoFrames(starts))).pipe(short)).toBe(expected, {
        r: 'registerJob',
        m: 'metrics',
        l: 'logs',
        c: 'complete',
        p: 'publishResult',
        i: 'idle',
      })
    })
    // load 1 frame; each step 2 frames, then its append 1 frame: the next step starts when the append is done
    expect(starts.entries).to.deep.equal([
      [1, 'registerJob'],
      [4, 'upsertDashboard:metrics'],
      [7, 'upsertDashboard:logs'],
      [10, 'complete'],
      [13, 'publishResult'],
    ])
  })

  it('on an expected-version conflict re-reads the log and appends the same step at the new version', () => {
    const { store, state } = storeHolding([createAccepted('r1')])
    let conflicts = 1
    const racing: DrainStore = {
      ...store,
      // another writer appended first, once
      append: (id, expected, events, snapshot, nowMs) =>
        conflicts-- > 0
          ? timer(1).pipe(map((): AppendResult => ({ ok: false, actualVersion: expected + 1 })))
          : store.append(id, expected, events, snapshot, nowMs),
    }
    scheduler.run(({ expectObservable }) => {
      const onlyTheJob = (step: Step, s: ServiceState) =>
        step.type === 'registerJob' ? stepsTakingTwoFrames(starts)(step, s) : throwError(() => new Error('stop here'))
      // register 1-3, refused append 3-4, re-read 4-5, append 5-6; then the next step fails the drain at once
      expectObservable(drainService$(SERVICE, deps(racing, onlyTheJob)).pipe(short)).toBe('------(rf|)', { r: 'registerJob', f: 'failed' })
    })
    expect(starts.entries).to.deep.equal([[1, 'registerJob']])
    expect(state().job?.jobName).to.equal(SERVICE)
  })

  it('ends with a failed event, never an error, when the store cannot be read', () => {
    const { store } = storeHolding([])
    const down: DrainStore = {
      ...store,
      load: () =>
        timer(2).pipe(
          map(() => {
            throw new Error('redis down')
          }),
        ),
    }
    scheduler.run(({ expectObservable }) => {
      expectObservable(drainService$(SERVICE, deps(down, stepsTakingTwoFrames(starts))).pipe(short)).toBe('--(f|)', { f: 'failed' })
    })
    expect(starts.entries).to.deep.equal([])
  })
})
