import { expect } from 'chai'
import fc from 'fast-check'
import type { ChangeTarget, DashboardRole, ServiceEvent, StepName } from '../../../src/codecs/events.js'
import { evolve, fold } from '../../../src/state/evolve.js'
import { initialServiceState, type ServiceState } from '../../../src/state/service-state.js'
import {
  SERVICE,
  at,
  createAccepted,
  dashboardUpserted,
  dashboardsDeleted,
  deleteAccepted,
  jobRegistered,
  jobRemoved,
  platformAccepted,
  redelivered,
  requestCompleted,
  resultPublished,
  stepFailed,
  uidOf,
} from '../../fixtures/events.js'
import * as reference from '../../support/immer-evolve.js'

const FAR_FUTURE = '2034-11-01T10:00:00.000Z'
const ROLES: readonly DashboardRole[] = ['metrics', 'logs', 'platform']
/** what a write that got no answer may have changed (StepFailed's `mayHaveChanged`) */
const TARGETS: readonly ChangeTarget[] = ['job', ...ROLES]
const STEPS: readonly StepName[] = ['registerJob', 'removeJob', 'upsertDashboard', 'deleteDashboards', 'publishResult']

/** Request ids from a pool wider than the completed window, so it fills up and slides. */
const requestId = fc.integer({ min: 0, max: 40 }).map((i) => `r${i}`)
const when = fc.integer({ min: 0, max: 120 }).map(at)
/** a publish time: none, a sane one, or one from a producer whose clock is years ahead */
const publishedAt = fc.oneof(fc.constant(undefined), when, fc.constant(FAR_FUTURE))

const event: fc.Arbitrary<ServiceEvent> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.tuple(requestId, fc.constantFrom('create', 'platform', 'delete'), when, publishedAt).map(([id, kind, t, p]): ServiceEvent => {
      const accepted =
        kind === 'create'
          ? createAccepted(id, SERVICE, { at: t })
          : kind === 'platform'
            ? platformAccepted(id, SERVICE, ['ns-a'], t)
            : deleteAccepted(id, SERVICE, t)
      return p === undefined ? accepted : { ...accepted, publishedAt: p }
    }),
  },
  { weight: 1, arbitrary: fc.tuple(requestId, when).map(([id, t]) => redelivered(id, t)) },
  { weight: 2, arbitrary: fc.tuple(requestId, fc.string({ maxLength: 3 }), when).map(([id, fp, t]) => jobRegistered(id, fp, SERVICE, t)) },
  { weight: 1, arbitrary: fc.tuple(requestId, fc.boolean(), when).map(([id, was, t]) => jobRemoved(id, was, SERVICE, t)) },
  {
    weight: 2,
    arbitrary: fc.tuple(requestId, fc.constantFrom(...ROLES), fc.nat(3), when).map(([id, role, v, t]) => dashboardUpserted(id, role, `fp-${v}`, SERVICE, v, t)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(requestId, fc.subarray([...ROLES.map((r) => uidOf(SERVICE, r)), 'stray-uid']), when)
      .map(([id, uids, t]) => dashboardsDeleted(id, uids, t)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        requestId,
        fc.constantFrom(...STEPS),
        fc.boolean(),
        fc.option(when, { nil: undefined }),
        when,
        fc.option(fc.constantFrom(...TARGETS), { nil: undefined }),
      )
      .map(([id, step, retryable, retryAt, t, mayHaveChanged]): ServiceEvent => {
        const failed = { ...stepFailed(id, step, `${step} failed`, t), retryable, ...(mayHaveChanged === undefined ? {} : { mayHaveChanged }) }
        return retryAt === undefined ? failed : { ...failed, retryAt }
      }),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(requestId, fc.constantFrom('SUCCESS' as const, 'FAILURE' as const), when)
      .map(([id, status, t]) => requestCompleted(id, status, SERVICE, status, t)),
  },
  { weight: 2, arbitrary: fc.tuple(requestId, when).map(([id, t]) => resultPublished(id, t)) },
)

/** A log: up to 40 requests carried out one after the other (the completed window fills and slides), then anything. */
const log: fc.Arbitrary<ServiceEvent[]> = fc
  .tuple(fc.nat(40), fc.array(event, { maxLength: 120 }))
  .map(([done, rest]) => [
    ...Array.from({ length: done }, (_, i) => [createAccepted(`r${i}`), requestCompleted(`r${i}`, 'SUCCESS'), resultPublished(`r${i}`)]).flat(),
    ...rest,
  ])

/** A snapshot stored before the publish-time cap: future publish times kept as they came. */
const storedBeforeTheCap = (state: ServiceState): ServiceState => ({
  ...state,
  pending: state.pending.map((p) => (p.publishedAt === undefined ? p : { ...p, publishedAt: FAR_FUTURE })),
  lastCompletedPublishedAt: state.lastCompletedPublishedAt === null ? null : FAR_FUTURE,
})

describe('evolve: the same snapshots as the immer reducer it replaced, byte for byte', () => {
  it('folds random logs to the same JSON, event by event and in one fold', () => {
    fc.assert(
      fc.property(log, (events) => {
        let mine = initialServiceState(SERVICE)
        let theirs = initialServiceState(SERVICE)
        for (const e of events) {
          mine = evolve(mine, e)
          theirs = reference.evolve(theirs, e)
          expect(JSON.stringify(mine)).to.equal(JSON.stringify(theirs))
        }
        expect(JSON.stringify(fold(initialServiceState(SERVICE), events))).to.equal(JSON.stringify(reference.fold(initialServiceState(SERVICE), events)))
      }),
      { numRuns: 50 },
    )
  })

  it('continues a snapshot stored before the publish-time cap the same way', () => {
    fc.assert(
      fc.property(log, fc.array(event, { maxLength: 60 }), (before, after) => {
        const stored = storedBeforeTheCap(reference.fold(initialServiceState(SERVICE), before))
        expect(JSON.stringify(fold(stored, after))).to.equal(JSON.stringify(reference.fold(stored, after)))
      }),
      { numRuns: 100 },
    )
  })

  it('never changes the state or the events it is given', () => {
    fc.assert(
      fc.property(log, fc.array(event, { minLength: 1, maxLength: 20 }), (history, next) => {
        const state = fold(initialServiceState(SERVICE), history)
        const before = JSON.stringify([state, next])
        fold(state, next)
        expect(JSON.stringify([state, next])).to.equal(before)
      }),
      { numRuns: 60 },
    )
  })
})
