/**
 * A tiny given/when/then DSL for the pure state functions (Emmett style):
 *
 *   given(history).when(event).then(expectedState | (after, before) => ...)
 *   given(history).decide(desired).then(expectedStep | (step, state) => ...)
 *
 * `given` folds the history from the initial state of one service. An expected value is compared
 * with deep equality; a predicate may assert with chai or return false to fail. `then` returns the
 * resulting state (or step) so a scenario can go on from there.
 */
import { expect } from 'chai'
import type { ServiceEvent } from '../../src/codecs/events.js'
import { decide, type DesiredFingerprints } from '../../src/state/decide.js'
import type { Step } from '../../src/state/step.js'
import { evolve, fold } from '../../src/state/evolve.js'
import { initialServiceState, type ServiceState } from '../../src/state/service-state.js'
import { SERVICE } from '../fixtures/events.js'

export type StatePredicate = (after: ServiceState, before: ServiceState) => boolean | void
export type StepPredicate = (step: Step, state: ServiceState) => boolean | void

export interface When {
  readonly then: (expected: ServiceState | StatePredicate) => ServiceState
}
export interface Decided {
  readonly then: (expected: Step | StepPredicate) => Step
}
export interface Given {
  /** the folded history, to build exact expectations from (e.g. `state.pending[0]`) */
  readonly state: ServiceState
  readonly when: (...events: readonly ServiceEvent[]) => When
  readonly decide: (desired: DesiredFingerprints) => Decided
}

const check = <A, B>(actual: A, expected: A | ((a: A, b: B) => boolean | void), context: B, what: string): A => {
  if (typeof expected === 'function') {
    const verdict = (expected as (a: A, b: B) => boolean | void)(actual, context)
    if (verdict === false) expect.fail(`${what} does not satisfy the predicate: ${JSON.stringify(actual)}`)
  } else {
    expect(actual, what).to.deep.equal(expected)
  }
  return actual
}

export const given = (history: readonly ServiceEvent[], serviceId: string = SERVICE): Given => {
  const state = fold(initialServiceState(serviceId), history)
  return {
    state,
    when: (...events) => ({
      then: (expected) => check(events.reduce(evolve, state), expected, state, 'state after when()'),
    }),
    decide: (desired) => ({
      then: (expected) => check(decide(state, desired), expected, state, 'decided step'),
    }),
  }
}
