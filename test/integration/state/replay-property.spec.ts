/**
 * Property: the snapshot a live run stores is byte-for-byte what folding the whole log gives.
 * That is the contract of the operator `replay` command (rebuild snapshots from the log), and it
 * only holds if every path that touches state (inbox accepts, drains, expected-version conflicts,
 * re-reads from a stored snapshot) folds the same events the same way.
 *
 * Random requests over three services go through the real inbox (`EventStore.accept`) and the real
 * drain (`drainService$`) against real Redis; only the Kubernetes/Grafana effects are faked
 * (`outcomeOf`). Some drains accept a request for the same service while a step runs, so that
 * step's append hits an expected-version conflict and the drain re-reads and re-decides.
 */
import { expect } from 'chai'
import fc from 'fast-check'
import { Redis } from 'ioredis'
import { defer, lastValueFrom, toArray } from 'rxjs'
import { EVENT_TYPES, type RequestAccepted } from '../../../src/codecs/events.js'
import { createEventStore, type EventStore } from '../../../src/state/store/event-store.js'
import { fold } from '../../../src/state/evolve.js'
import { initialServiceState } from '../../../src/state/service-state.js'
import { drainService$, type DrainDeps, type DrainEvent } from '../../../src/streams/service-drain.js'
import { FAILING_NAMESPACE, accepted, at, createPayload, deletePayload, fakeDesired, outcomeOf, platformPayload, redelivered } from '../../fixtures/events.js'
import { flushPrefix, testRedisUrl, uniquePrefix } from '../../support/redis-helpers.js'

const SERVICES = ['svc-0', 'svc-1', 'svc-2'] as const
const NAMESPACES = [['ns-a'], ['ns-a', 'ns-b'], [FAILING_NAMESPACE]] as const

type Kind = 'create' | 'platform' | 'delete'
type Command =
  | { readonly op: 'request'; readonly kind: Kind; readonly svc: number; readonly ns: number }
  | { readonly op: 'redeliver'; readonly pick: number }
  | { readonly op: 'drain'; readonly svc: number }
  | { readonly op: 'drainWhileRequest'; readonly kind: Kind; readonly svc: number; readonly ns: number }
  | { readonly op: 'drainWhileRedeliver'; readonly pick: number }

const kind = fc.constantFrom<Kind>('create', 'platform', 'delete')
const svc = fc.integer({ min: 0, max: SERVICES.length - 1 })
const ns = fc.integer({ min: 0, max: NAMESPACES.length - 1 })
const command: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('request' as const), kind, svc, ns }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant('redeliver' as const), pick: fc.nat() }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant('drain' as const), svc }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('drainWhileRequest' as const), kind, svc, ns }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('drainWhileRedeliver' as const), pick: fc.nat() }), weight: 1 },
)

const requestOf = (k: Kind, serviceId: string, n: number): RequestAccepted['request'] => {
  const namespaces = [...(NAMESPACES[n] ?? NAMESPACES[0])]
  switch (k) {
    case 'create':
      return { kind: 'create', payload: createPayload(serviceId, { namespaces }) }
    case 'platform':
      return { kind: 'platform', payload: platformPayload(serviceId, namespaces) }
    case 'delete':
      return { kind: 'delete', payload: deletePayload(serviceId) }
  }
}

describe('replay property: folding the whole log reproduces the stored snapshot byte for byte', function () {
  this.timeout(120_000)
  let redis: Redis

  before(() => {
    redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 3 })
  })
  after(async () => {
    await redis.quit()
  })

  /** refused appends across runs: the property must have met expected-version conflicts */
  let conflicts = 0

  /** One run: a fresh key prefix, the commands, a final drain of every service, then the check. Returns the event types seen. */
  const run = async (commands: readonly Command[]): Promise<ReadonlySet<string>> => {
    const prefix = uniquePrefix()
    const real = createEventStore(redis, prefix)
    const store: EventStore = {
      ...real,
      append: async (...args) => {
        const result = await real.append(...args)
        if (!result.ok) conflicts += 1
        return result
      },
    }
    const types = new Set<string>()
    let clock = 0
    /** a request to accept while the next step runs, so that step's append meets a newer version */
    let duringStep: (() => Promise<void>) | undefined
    const tick = () => (clock += 1)
    const deps: DrainDeps = {
      store,
      desired: fakeDesired,
      // a real effect is an HTTP call; while it runs the inbox may append (see drainWhile)
      runStep: (step, state) =>
        defer(async () => {
          const outcome = outcomeOf(step, state, at(tick()))
          const inject = duringStep
          duringStep = undefined
          if (inject !== undefined) await inject()
          return outcome
        }),
      nowMs: () => Date.parse(at(clock)),
    }
    const drained: DrainEvent[] = []
    const drain = async (serviceId: string) => {
      drained.push(...(await lastValueFrom(drainService$(serviceId, deps).pipe(toArray()))))
    }
    const sent: Array<{ serviceId: string; requestId: string }> = []
    const request = async (k: Kind, s: number, n: number) => {
      const serviceId = SERVICES[s] ?? SERVICES[0]
      const requestId = `q${sent.length}`
      sent.push({ serviceId, requestId })
      const when = at(tick())
      await store.accept(
        [{ serviceId, accepted: accepted(requestId, requestOf(k, serviceId, n), when), redelivered: redelivered(requestId, when) }],
        Date.parse(when),
      )
    }

    /** the same CloudEvent again: the inbox must record it as a redelivery */
    const redeliver = async (pick: number) => {
      const target = sent[pick % Math.max(1, sent.length)]
      if (target === undefined) return
      const when = at(tick())
      const original = await store.readEvents(target.serviceId)
      const first = original.find((e) => e.event.type === 'RequestAccepted' && e.event.requestId === target.requestId)
      if (first?.event.type !== 'RequestAccepted') throw new Error(`request ${target.requestId} is not in the log`)
      const outcomes = await store.accept(
        [{ serviceId: target.serviceId, accepted: first.event, redelivered: redelivered(target.requestId, when) }],
        Date.parse(when),
      )
      expect(outcomes[0]?.outcome).to.equal('redelivered')
    }
    /** drain one service, running `inject` inside its first step (or after, when there was no step) */
    const drainWhile = async (serviceId: string, inject: () => Promise<void>) => {
      duringStep = inject
      await drain(serviceId)
      const notRun = duringStep as (() => Promise<void>) | undefined
      duringStep = undefined
      if (notRun !== undefined) await notRun()
    }

    try {
      for (const c of commands) {
        switch (c.op) {
          case 'request':
            await request(c.kind, c.svc, c.ns)
            break
          case 'drain':
            await drain(SERVICES[c.svc] ?? SERVICES[0])
            break
          case 'drainWhileRequest':
            await drainWhile(SERVICES[c.svc] ?? SERVICES[0], () => request(c.kind, c.svc, c.ns))
            break
          case 'redeliver':
            await redeliver(c.pick)
            break
          case 'drainWhileRedeliver': {
            const target = sent[c.pick % Math.max(1, sent.length)]
            if (target === undefined) break
            await drainWhile(target.serviceId, () => redeliver(c.pick))
            break
          }
        }
      }
      for (const serviceId of SERVICES) await drain(serviceId)

      expect(drained.filter((e) => e.type === 'failed')).to.deep.equal([])
      for (const serviceId of SERVICES) {
        const events = await store.readEvents(serviceId)
        const stored = await store.readSnapshotText(serviceId)
        if (events.length === 0) {
          expect(stored, serviceId).to.equal(null)
          continue
        }
        events.forEach((e) => types.add(e.event.type))
        const replayed = fold(
          initialServiceState(serviceId),
          events.map((e) => e.event),
        )
        expect(JSON.stringify(replayed), serviceId).to.equal(stored)
        // and the run really finished: nothing pending, no result owed
        expect(replayed.version).to.equal(events.length)
        expect(replayed.pending, serviceId).to.deep.equal([])
        expect(replayed.outstanding, serviceId).to.deep.equal([])
      }
    } finally {
      await flushPrefix(redis, prefix)
    }
    return types
  }

  it('holds for random create/platform/delete sequences over three services (incl. redeliveries, failures and append conflicts)', async () => {
    conflicts = 0
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 16 }), async (commands) => {
        await run(commands)
      }),
      { numRuns: 50 },
    )
    expect(conflicts, 'appends refused for a stale expected version').to.be.greaterThan(0)
  })

  it('holds for a fixed scenario that exercises every event type', async () => {
    const types = await run([
      { op: 'request', kind: 'create', svc: 0, ns: 1 },
      { op: 'drainWhileRequest', kind: 'create', svc: 0, ns: 1 },
      { op: 'redeliver', pick: 0 },
      { op: 'request', kind: 'platform', svc: 0, ns: 2 },
      { op: 'drainWhileRedeliver', pick: 2 },
      { op: 'drain', svc: 0 },
      { op: 'request', kind: 'delete', svc: 0, ns: 0 },
      { op: 'drainWhileRequest', kind: 'delete', svc: 0, ns: 0 },
      { op: 'request', kind: 'delete', svc: 1, ns: 0 },
    ])
    expect([...types].sort()).to.deep.equal([...EVENT_TYPES].sort())
  })
})
