/**
 * The actors: every wake-up for a serviceId goes to its lane (laneByKey), which drains that
 * service's pending work from the event log (drainService$). Wake-ups come from the inbox (new
 * requests), from start-up and a periodic sweep (work an earlier run left pending), from a
 * retry timer after a drain stopped on a failure (Redis or Kafka away), and from the timer of a
 * service that waits out a transient fault (Grafana or Kubernetes away): its lane is left meanwhile,
 * so the other services go on and nothing spins.
 */
import { EMPTY, Subject, catchError, defer, finalize, mergeMap, tap, timer, type Subscription } from 'rxjs'
import type { ServiceEvent } from '../codecs/events.js'
import type { DesiredFingerprints } from '../state/decide.js'
import type { Step } from '../state/step.js'
import type { EventStore } from '../state/store/event-store.js'
import type { ServiceState } from '../state/service-state.js'
import { laneByKey } from '../operators/lane-by-key.js'
import { drainService$, traceOfDrainEvent, type DrainDeps, type DrainEvent } from './service-drain.js'
import type { TraceContext } from '../support/tracing/trace-context.js'
import type { ServiceLease } from '../state/store/service-lease.js'
import type { CrashPoint } from './crash-points.js'
import type { Patience } from './retry-schedule.js'

/** How often every service with pending work is woken again (work an earlier run or a stopped drain left). */
export const SWEEP_INTERVAL_MS = 30_000
/** How soon a lane whose drain stopped on a failure (Redis or Kafka away) tries again. */
export const DRAIN_RETRY_DELAY_MS = 2000

export interface LaneDeps {
  readonly store: EventStore
  readonly desired: DesiredFingerprints
  readonly runStep: DrainDeps['runStep']
  readonly nowMs: () => number
  readonly crash: CrashPoint
  /** per-service lease across replicas (see state/store/service-lease.ts) */
  readonly lease?: { readonly lease: ServiceLease; readonly renewMs: number }
  readonly maxActive: number
  readonly idleMs: number
  readonly sweepIntervalMs: number
  readonly retryDelayMs: number
  readonly busyRetryMs: number
  /** retry transient faults until the request's deadline (see retry-schedule.ts) */
  readonly patience?: Patience
  /** see DrainDeps.onOutcome */
  readonly onOutcome?: (step: Step, events: readonly ServiceEvent[]) => void
  /** told each drain event inside its lane: a throw here ends that drain (`onHandlerError`), never the lanes */
  readonly onEvent: (event: DrainEvent) => void
  /** a drain (or `onEvent`) threw; `trace`: the request it was last at, when known */
  readonly onHandlerError: (serviceId: string, error: unknown, trace?: TraceContext) => void
}

export interface ServiceLanes {
  wake(serviceId: string): void
  openLanes(): number
  activeDrains(): number
  /** services whose head request waits for its next attempt after a transient fault */
  waitingServices(): number
  /** stop waking lanes (sweeps, retries): running drains go on */
  quiesce(): void
  /** cancel everything still running; its work stays pending in the log */
  stop(): void
}

export const startServiceLanes = (deps: LaneDeps): ServiceLanes => {
  const wake$ = new Subject<string>()
  let open = 0
  let active = 0
  let quiet = false
  const retryTimers = new Set<NodeJS.Timeout>()
  // one timer per waiting service: a later wait replaces it (a new request woke the lane meanwhile)
  const waitTimers = new Map<string, NodeJS.Timeout>()
  const waitUntil = (serviceId: string, untilMs: number) => {
    clearTimeout(waitTimers.get(serviceId))
    const timer = setTimeout(
      () => {
        waitTimers.delete(serviceId)
        wake$.next(serviceId)
      },
      Math.max(0, untilMs - deps.nowMs()),
    )
    timer.unref()
    waitTimers.set(serviceId, timer)
  }

  // the crash points wrap the effect so tests can kill the process between any two steps
  const runStep = (step: Step, state: ServiceState) =>
    defer(() => {
      deps.crash('before-effect', step.type)
      return deps.runStep(step, state)
    }).pipe(tap(() => deps.crash('after-effect', step.type)))

  const lanes: Subscription = wake$
    .pipe(
      laneByKey(
        (serviceId) => serviceId,
        (serviceId) => {
          active += 1
          const leased = deps.lease === undefined ? {} : { lease: deps.lease.lease, leaseRenewMs: deps.lease.renewMs }
          const patient = deps.patience === undefined ? {} : { patience: deps.patience }
          const observed = deps.onOutcome === undefined ? {} : { onOutcome: deps.onOutcome }
          let concern: TraceContext | undefined
          return drainService$(serviceId, { store: deps.store, desired: deps.desired, runStep, nowMs: deps.nowMs, ...leased, ...patient, ...observed }).pipe(
            tap((event) => {
              concern = traceOfDrainEvent(event) ?? concern
              if (event.type === 'appended') deps.crash('after-append', event.step.type)
              deps.onEvent(event)
            }),
            catchError((error: unknown) => {
              deps.onHandlerError(serviceId, error, concern)
              return EMPTY
            }),
            finalize(() => (active -= 1)),
          )
        },
        { maxActive: deps.maxActive, idleMs: deps.idleMs, coalesce: true, onLaneCount: (n) => (open = n), onHandlerError: deps.onHandlerError },
      ),
    )
    .subscribe((event) => {
      if (event.type === 'waiting' && !quiet) waitUntil(event.serviceId, Date.parse(event.until))
      // a failed drain (Redis/Kafka away) or a busy lease (another replica works on it) is retried
      if ((event.type === 'failed' || event.type === 'busy') && !quiet) {
        const retry = setTimeout(
          () => {
            retryTimers.delete(retry)
            wake$.next(event.serviceId)
          },
          event.type === 'busy' ? deps.busyRetryMs : deps.retryDelayMs,
        )
        retry.unref()
        retryTimers.add(retry)
      }
    })

  // resume what an earlier run accepted but did not finish, then keep sweeping for stragglers
  const sweep: Subscription = timer(0, deps.sweepIntervalMs)
    .pipe(mergeMap(() => deps.store.pendingServices().catch(() => [] as readonly string[])))
    .subscribe((ids) => ids.forEach((id) => wake$.next(id)))

  const quiesce = () => {
    quiet = true
    sweep.unsubscribe()
    retryTimers.forEach(clearTimeout)
    retryTimers.clear()
    waitTimers.forEach(clearTimeout)
    waitTimers.clear()
  }
  return {
    wake: (serviceId) => {
      if (!quiet) wake$.next(serviceId)
    },
    openLanes: () => open,
    activeDrains: () => active,
    waitingServices: () => waitTimers.size,
    quiesce,
    stop: () => {
      quiesce()
      lanes.unsubscribe()
      wake$.complete()
    },
  }
}
