import { expect } from 'chai'
import sinon from 'sinon'
import { of, type Observable } from 'rxjs'
import type { ServiceEvent } from '../../../src/codecs/events.js'
import type { Step } from '../../../src/state/step.js'
import type { ServiceState } from '../../../src/state/service-state.js'
import type { DrainEvent } from '../../../src/streams/service-drain.js'
import type { ServiceLanes } from '../../../src/streams/service-lanes.js'
import { createAccepted, outcomeOf, stepFailed } from '../../fixtures/events.js'
import { MemoryEventStore } from '../../support/memory-event-store.js'
import { startTestLanes } from '../../support/test-lanes.js'

const SLOW = 'svc-grafana-down'
const FAST = 'svc-other'

/**
 * The waiting lane in virtual time (sinon's clock drives setTimeout, Date and RxJS's timers): a
 * service whose Grafana call fails on a transient fault sets a timer and leaves its lane; another
 * service goes on meanwhile; at the retry time the first one is woken and completes.
 */
describe('service lanes: a service waiting out a transient fault', () => {
  let clock: sinon.SinonFakeTimers
  let lanes: ServiceLanes | undefined
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: Date.parse('2024-11-01T10:00:00.000Z'), toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] })
  })
  afterEach(() => {
    lanes?.stop()
    clock.restore()
  })

  it('sets a timer and leaves; other services go on; at the retry time it is woken and completes', async () => {
    const store = new MemoryEventStore()
    const events: Array<readonly [number, DrainEvent['type'], string]> = []
    let grafanaDown = true
    const calls: string[] = []
    const runStep = (step: Step, state: ServiceState): Observable<readonly ServiceEvent[]> => {
      calls.push(`${state.serviceId}:${step.type}`)
      if (state.serviceId === SLOW && step.type === 'upsertDashboard' && grafanaDown) {
        return of([{ ...stepFailed(step.pending.requestId, 'upsertDashboard', 'Grafana 503', new Date().toISOString()), retryable: true }])
      }
      return of(outcomeOf(step, state, new Date().toISOString()))
    }
    lanes = startTestLanes({
      store,
      runStep,
      maxActive: 10,
      retryDelayMs: 1000,
      busyRetryMs: 100,
      patience: { deadlineMs: 15 * 60_000, baseDelayMs: 10_000, maxDelayMs: 60_000, random: () => 0 },
      onEvent: (event) => events.push([Date.now() - Date.parse('2024-11-01T10:00:00.000Z'), event.type, event.serviceId]),
      onHandlerError: (serviceId, error) => expect.fail(`${serviceId}: ${String(error)}`),
    })
    const now = new Date().toISOString()
    /** a create for the service in its inbox, then its lane woken (as the inbox does) */
    const acceptAndWake = async (serviceId: string, requestId: string) => {
      await store.accept([
        {
          serviceId,
          accepted: { ...createAccepted(requestId, serviceId), at: now },
          redelivered: { v: 1, requestId, at: now, type: 'RequestRedelivered', origin: 'x' },
        },
      ])
      lanes?.wake(serviceId)
    }
    await acceptAndWake(SLOW, 'slow')
    await clock.tickAsync(10)
    // (the start-up sweep may wake it a second time: it finds the same wait and leaves again)
    expect(events.filter(([, type]) => type === 'waiting')).to.deep.include([0, 'waiting', SLOW])
    expect(lanes.waitingServices()).to.equal(1)

    // while SLOW waits (retry at +5 s: half of the 10 s ceiling), another service is carried out
    await acceptAndWake(FAST, 'fast')
    await clock.tickAsync(10)
    expect(events.filter(([, type, id]) => type === 'idle' && id === FAST)).to.have.length(1)
    expect(calls.filter((c) => c.startsWith(SLOW))).to.deep.equal([`${SLOW}:registerJob`, `${SLOW}:upsertDashboard`])

    grafanaDown = false
    await clock.tickAsync(4900)
    expect(
      calls.filter((c) => c.startsWith(SLOW)),
      'nothing before the retry time',
    ).to.have.length(2)
    await clock.tickAsync(200)
    expect(lanes.waitingServices()).to.equal(0)
    const slowState = await store.load(SLOW)
    expect(slowState.status).to.equal('active')
    expect(slowState.completed.map((c) => c.status)).to.deep.equal(['SUCCESS'])
    expect(calls.filter((c) => c === `${SLOW}:upsertDashboard`)).to.have.length(3)
  })
})
