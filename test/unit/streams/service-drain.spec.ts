import { expect } from 'chai'
import { lastValueFrom, of, throwError, toArray, type Observable } from 'rxjs'
import type { ServiceEvent } from '../../../src/codecs/events.js'
import type { Step } from '../../../src/state/step.js'
import type { ServiceState } from '../../../src/state/service-state.js'
import type { EventStore } from '../../../src/state/store/event-store.js'
import type { ServiceLease } from '../../../src/state/store/service-lease.js'
import { drainService$, type DrainDeps, type DrainEvent } from '../../../src/streams/service-drain.js'
import { MemoryEventStore } from '../../support/memory-event-store.js'
import { CREATE_EVENT_TYPES, SERVICE, createAccepted, createPayload, fakeDesired, jobRegistered, outcomeOf, redelivered } from '../../fixtures/events.js'

const storeWith = (...events: ServiceEvent[]): MemoryEventStore => {
  const store = new MemoryEventStore()
  store.stream(SERVICE).push(...events)
  store.pending.add(SERVICE)
  return store
}

/** The fake effect: what a successful step would record; `fail` makes one step type error instead. */
const fakeRunStep =
  (fail?: Step['type']) =>
  (step: Step, state: ServiceState): Observable<readonly ServiceEvent[]> =>
    step.type === fail ? throwError(() => new Error(`${step.type} exploded`)) : of(outcomeOf(step, state))

const deps = (store: EventStore, overrides: Partial<DrainDeps> = {}): DrainDeps => ({
  store,
  desired: fakeDesired,
  runStep: fakeRunStep(),
  nowMs: () => 0,
  ...overrides,
})

const drain = (store: EventStore, overrides: Partial<DrainDeps> = {}): Promise<DrainEvent[]> =>
  lastValueFrom(drainService$(SERVICE, deps(store, overrides)).pipe(toArray()))

const summary = (events: readonly DrainEvent[]): string[] =>
  events.map((e) => (e.type === 'appended' || e.type === 'superseded' ? `${e.type}:${e.step.type}` : e.type))

const typesIn = (store: MemoryEventStore): string[] => store.stream(SERVICE).map((e) => e.type)

/** the fingerprint the drain registers for createAccepted('r1') */
const JOB_FP = fakeDesired.job(createPayload())

describe('drainService$', () => {
  it('runs steps until idle, then clears the pending mark at the version it reached', async () => {
    const store = storeWith(createAccepted('r1'))

    const events = await drain(store)

    expect(summary(events)).to.deep.equal([
      'appended:registerJob',
      'appended:upsertDashboard',
      'appended:upsertDashboard',
      'appended:complete',
      'appended:publishResult',
      'idle',
    ])
    expect(typesIn(store)).to.deep.equal(CREATE_EVENT_TYPES)
    expect(events.at(-1)).to.deep.equal({ type: 'idle', serviceId: SERVICE, version: 6 })
    expect(store.cleared).to.deep.equal([[SERVICE, 6]])
    expect(store.pending.has(SERVICE)).to.equal(false)
  })

  it('with nothing to do, goes idle at once and still clears the pending mark', async () => {
    const store = storeWith()
    expect(summary(await drain(store))).to.deep.equal(['idle'])
    expect(store.cleared).to.deep.equal([[SERVICE, 0]])
  })

  it('on an append conflict re-reads, and re-appends at the new version when the step is still wanted', async () => {
    const store = storeWith(createAccepted('r1'))
    // our own inbox accepts another request just as the first step's outcome is appended
    store.beforeAppend = (serviceId, attempt) => {
      if (attempt === 1) store.stream(serviceId).push(createAccepted('r2', SERVICE, { namespaces: ['ns-other'] }))
    }

    const events = await drain(store, { maxStepsPerDrain: 1 })

    expect(summary(events)).to.deep.equal(['appended:registerJob'])
    expect(store.appends).to.equal(2)
    expect(typesIn(store)).to.deep.equal(['RequestAccepted', 'RequestAccepted', 'ScrapeJobRegistered'])
    const [appended] = events
    expect(appended?.type === 'appended' ? appended.state.version : -1).to.equal(3)
  })

  it('drops its events when the re-read state no longer asks for the step (another replica did it)', async () => {
    const store = storeWith(createAccepted('r1'))
    store.beforeAppend = (serviceId, attempt) => {
      if (attempt === 1) store.stream(serviceId).push(jobRegistered('r1', JOB_FP))
    }

    const events = await drain(store)

    expect(summary(events).slice(0, 2)).to.deep.equal(['superseded:registerJob', 'appended:upsertDashboard'])
    expect(summary(events).at(-1)).to.equal('idle')
    // the other replica's registration is the only one in the log
    expect(typesIn(store).filter((t) => t === 'ScrapeJobRegistered')).to.have.length(1)
  })

  it('ends with a failed event (and no error) when the append keeps conflicting', async () => {
    const store = storeWith(createAccepted('r1'))
    // a redelivery lands before every append: the step is still wanted, but the version never matches
    store.beforeAppend = (serviceId) => store.stream(serviceId).push(redelivered('r1'))

    const events = await drain(store, { maxAppendAttempts: 3 })

    expect(summary(events)).to.deep.equal(['failed'])
    const [failed] = events
    expect(failed?.type === 'failed' ? String(failed.error) : '').to.contain('gave up appending after 3 expected-version conflicts')
    expect(typesIn(store).filter((t) => t === 'ScrapeJobRegistered')).to.deep.equal([])
    expect(store.cleared).to.deep.equal([])
  })

  it('a runStep that errors ends the drain with a failed event; the stream completes and the work stays pending', async () => {
    const store = storeWith(createAccepted('r1'))

    const events = await drain(store, { runStep: fakeRunStep('upsertDashboard') })

    expect(summary(events)).to.deep.equal(['appended:registerJob', 'failed'])
    const failed = events[1]
    expect(failed?.type === 'failed' ? String(failed.error) : '').to.equal('Error: upsertDashboard exploded')
    expect(typesIn(store)).to.deep.equal(['RequestAccepted', 'ScrapeJobRegistered'])
    expect(store.cleared).to.deep.equal([])
    expect(store.pending.has(SERVICE)).to.equal(true)
  })

  it('a store that cannot load ends the drain with a failed event', async () => {
    const store = storeWith(createAccepted('r1'))
    store.load = () => Promise.reject(new Error('redis down'))
    expect(summary(await drain(store))).to.deep.equal(['failed'])
  })

  it('stops after maxStepsPerDrain steps, leaving the rest for the next wake-up', async () => {
    const store = storeWith(createAccepted('r1'))
    const events = await drain(store, { maxStepsPerDrain: 2 })
    expect(summary(events)).to.deep.equal(['appended:registerJob', 'appended:upsertDashboard'])
    expect(store.cleared).to.deep.equal([])
  })
})

describe('drainService$ under a per-service lease', () => {
  const fakeLease = (grant: boolean[], renewals: boolean[] = []) => {
    const calls: string[] = []
    const lease: ServiceLease = {
      acquire: () => {
        calls.push('acquire')
        return Promise.resolve(grant.shift() ?? true)
      },
      renew: () => {
        calls.push('renew')
        return Promise.resolve(renewals.shift() ?? true)
      },
      release: () => {
        calls.push('release')
        return Promise.resolve()
      },
    }
    return { lease, calls }
  }

  it('given the lease is held elsewhere, then nothing is done and the drain says busy', async () => {
    const store = storeWith(createAccepted('r1'))
    const { lease, calls } = fakeLease([false])
    expect(summary(await drain(store, { lease }))).to.deep.equal(['busy'])
    expect(typesIn(store)).to.deep.equal(['RequestAccepted'])
    expect(calls).to.deep.equal(['acquire'])
  })

  it('given the lease, then the drain runs to idle, renews it between steps and releases it at the end', async () => {
    const store = storeWith(createAccepted('r1'))
    const { lease, calls } = fakeLease([true])
    expect(summary(await drain(store, { lease })).at(-1)).to.equal('idle')
    expect(calls[0]).to.equal('acquire')
    expect(calls.filter((c) => c === 'renew').length).to.be.greaterThan(0)
    expect(calls.at(-1)).to.equal('release')
  })

  it('given a renewal period longer than the drain, then its steps trust the acquire: no renew round trip between them', async () => {
    const store = storeWith(createAccepted('r1'))
    const { lease, calls } = fakeLease([true])
    expect(summary(await drain(store, { lease, leaseRenewMs: 60_000 })).at(-1)).to.equal('idle')
    expect(calls).to.deep.equal(['acquire', 'release'])
  })

  it('given the lease is lost mid-drain, then the drain stops before the next step and says busy', async () => {
    const store = storeWith(createAccepted('r1'))
    const { lease } = fakeLease([true], [false])
    expect(summary(await drain(store, { lease }))).to.deep.equal(['appended:registerJob', 'busy'])
  })
})
