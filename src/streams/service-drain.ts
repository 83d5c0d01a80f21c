/**
 * drainService$: the actor for one service. Loads the snapshot (+ newer events), asks `decide`
 * for the next step, runs its effect, appends the outcome events with the expected version, and
 * repeats until nothing is left to do. Everything it needs arrives as `deps`.
 *
 * Appends are guarded by the stream version: if another writer appended meanwhile (our own inbox
 * accepting a new request, or a second replica working on the same service), the append is
 * refused, the state is re-read and the step re-decided. If the re-read state no longer asks for
 * this step (the other replica did it), our events are dropped; otherwise they are appended at
 * the new version. Effects are idempotent (fixed uids, upsert by job name), so doing a step twice
 * in that race changes nothing outside.
 *
 * Never errors: a failure ends this drain with a `failed` event; the work stays pending in the log
 * and a later wake-up resumes it.
 */
import {
  EMPTY,
  catchError,
  concat,
  concatMap,
  defaultIfEmpty,
  defer,
  expand,
  finalize,
  ignoreElements,
  map,
  mergeMap,
  of,
  take,
  tap,
  throwError,
  type Observable,
  type ObservableInput,
} from 'rxjs'
import type { ServiceEvent } from '../codecs/events.js'
import { decide, type DesiredFingerprints } from '../state/decide.js'
import { traceOfStep, type Step } from '../state/step.js'
import type { AppendResult, EventStore } from '../state/store/event-store.js'
import { fold } from '../state/evolve.js'
import { heldLease, type HeldLease, type ServiceLease } from '../state/store/service-lease.js'
import type { ServiceState } from '../state/service-state.js'
import { scheduleRetries, type Patience } from './retry-schedule.js'
import type { StepRun } from '../effects/steps/traced-step.js'
import type { TraceContext } from '../support/tracing/trace-context.js'

export type DrainEvent =
  /** `trace`: the context the step ran in (its span's, when traced) */
  | {
      readonly type: 'appended'
      readonly serviceId: string
      readonly step: Step
      readonly events: readonly ServiceEvent[]
      readonly state: ServiceState
      readonly trace?: TraceContext
    }
  | { readonly type: 'superseded'; readonly serviceId: string; readonly step: Step; readonly trace?: TraceContext }
  | { readonly type: 'idle'; readonly serviceId: string; readonly version: number }
  /** `trace`: the request the drain was at (its step's span when the step ran), none before a step was decided */
  | { readonly type: 'failed'; readonly serviceId: string; readonly error: unknown; readonly trace?: TraceContext }
  /** another replica holds the service's lease: nothing was done, try again later */
  | { readonly type: 'busy'; readonly serviceId: string }
  /** the head request waits out a transient fault: wake the service again at `until` */
  | { readonly type: 'waiting'; readonly serviceId: string; readonly requestId: string; readonly until: string; readonly attempts: number }

/** The event store calls a drain makes; ObservableInputs so marble specs can stand in cold observables (the EventStore fits). */
export interface DrainStore {
  load(serviceId: string): ObservableInput<ServiceState>
  /** EventStore.append's arguments; `trace`, the step's context, is the parent of the append's span */
  append(...args: Parameters<EventStore['append']>): ObservableInput<AppendResult>
  clearPending(serviceId: string, version: number): ObservableInput<unknown>
}

export interface DrainDeps {
  readonly store: DrainStore
  readonly desired: DesiredFingerprints
  /** a step's events, or with the context it ran in (effects/steps/traced-step.ts) */
  readonly runStep: (step: Step, state: ServiceState) => Observable<readonly ServiceEvent[] | StepRun>
  readonly nowMs: () => number
  /** bound on steps per drain, so a bug can never spin forever; the rest waits for the next wake-up */
  readonly maxStepsPerDrain?: number
  /** bound on expected-version retries of one append */
  readonly maxAppendAttempts?: number
  /** per-service lease across replicas; without it every drain just runs */
  readonly lease?: ServiceLease
  /** how often a held lease is renewed while the drain runs; a step starting sooner than this after the last renewal trusts it (see heldLease) */
  readonly leaseRenewMs?: number
  /** retry transient faults until the request's deadline; without it they fail at once */
  readonly patience?: Patience
  /** told each step's outcome events as they will be recorded (retries stamped): the retry-wait spans */
  readonly onOutcome?: (step: Step, events: readonly ServiceEvent[]) => void
}

const stepKey = (step: Step): string => {
  switch (step.type) {
    case 'idle':
      return 'idle'
    case 'wait':
      return stepKey(step.next)
    case 'publishResult':
      return `publish:${step.resultId}`
    case 'upsertDashboard':
      return `upsert:${step.pending.requestId}:${step.role}:${step.fingerprint}`
    case 'registerJob':
      return `register:${step.pending.requestId}:${step.fingerprint}`
    default:
      return `${step.type}:${step.pending.requestId}`
  }
}

type Turn = { readonly state: ServiceState; readonly event: DrainEvent | undefined; readonly steps: number }

/** Append with the expected version; on conflict re-read and re-decide (see above). */
const commit$ = (serviceId: string, state: ServiceState, step: Step, { events, trace }: StepRun, deps: DrainDeps): Observable<Turn> => {
  const traced = trace === undefined ? {} : { trace }
  const attempts = deps.maxAppendAttempts ?? 50
  const attempt$ = (base: ServiceState, attempt: number): Observable<Turn> => {
    if (attempt >= attempts) return throwError(() => new Error(`service ${serviceId}: gave up appending after ${attempts} expected-version conflicts`))
    const next = fold(base, events)
    return defer(() => deps.store.append(serviceId, base.version, events, next, deps.nowMs(), trace ?? traceOfStep(step))).pipe(
      take(1),
      concatMap((result): Observable<Turn> => {
        if (result.ok) return of({ state: next, event: { type: 'appended', serviceId, step, events, state: next, ...traced }, steps: 0 })
        return defer(() => deps.store.load(serviceId)).pipe(
          take(1),
          concatMap((reloaded) =>
            stepKey(decide(reloaded, deps.desired)) !== stepKey(step)
              ? of<Turn>({ state: reloaded, event: { type: 'superseded', serviceId, step, ...traced }, steps: 0 })
              : attempt$(reloaded, attempt + 1),
          ),
        )
      }),
    )
  }
  return attempt$(state, 0)
}

/** The request a drain event concerns, as its log line names it: the step's span, else the request's context. */
export const traceOfDrainEvent = (event: DrainEvent): TraceContext | undefined => {
  switch (event.type) {
    case 'appended':
    case 'superseded':
      return event.trace ?? traceOfStep(event.step)
    case 'failed':
      return event.trace
    default:
      return undefined
  }
}

const drainHeld$ = (serviceId: string, deps: DrainDeps, lease: HeldLease | undefined): Observable<DrainEvent> =>
  defer(() => {
    const maxSteps = deps.maxStepsPerDrain ?? 1000
    /** the context of the request the drain is at, for a `failed` event (see DrainEvent) */
    let at: TraceContext | undefined
    return defer(() => deps.store.load(serviceId)).pipe(
      take(1),
      map((state): Turn => ({ state, event: undefined, steps: 0 })),
      expand((turn) => {
        if (turn.event !== undefined && turn.event.type !== 'appended' && turn.event.type !== 'superseded') return EMPTY
        if (turn.steps >= maxSteps) return EMPTY
        const decided = decide(turn.state, deps.desired)
        // not due yet: leave the service (the lanes set a timer), so other services go on meanwhile
        if (decided.type === 'wait' && deps.nowMs() < Date.parse(decided.until)) {
          const waiting: DrainEvent = {
            type: 'waiting',
            serviceId,
            requestId: decided.pending.requestId,
            until: decided.until,
            attempts: decided.pending.attempts ?? 0,
          }
          return of<Turn>({ ...turn, event: waiting })
        }
        const step = decided.type === 'wait' ? decided.next : decided
        at = traceOfStep(step)
        if (step.type === 'idle') {
          return concat(defer(() => deps.store.clearPending(serviceId, turn.state.version)).pipe(ignoreElements()), of(undefined)).pipe(
            map((): Turn => ({ ...turn, event: { type: 'idle', serviceId, version: turn.state.version } })),
          )
        }
        // a step can take long (Grafana retries): stop if the lease was lost meanwhile (asked of Redis only when not confirmed recently)
        const stillHeld = turn.steps === 0 || lease === undefined ? of(true) : defer(() => lease.stillHeld(serviceId))
        return stillHeld.pipe(
          concatMap((held) => (held ? deps.runStep(step, turn.state) : EMPTY)),
          take(1),
          map((ran): StepRun => {
            const { events, trace } = 'events' in ran ? ran : { events: ran, trace: undefined }
            at = trace ?? at
            const stamped = scheduleRetries(events, turn.state, deps.nowMs(), deps.patience)
            return trace === undefined ? { events: stamped } : { events: stamped, trace }
          }),
          tap((ran) => deps.onOutcome?.(step, ran.events)),
          concatMap((ran) => commit$(serviceId, turn.state, step, ran, deps)),
          map((next): Turn => ({ ...next, steps: turn.steps + 1 })),
          defaultIfEmpty<Turn, Turn>({ ...turn, event: { type: 'busy', serviceId } }),
        )
      }),
      mergeMap((turn) => (turn.event === undefined ? EMPTY : of(turn.event))),
      catchError((error: unknown) => of<DrainEvent>(at === undefined ? { type: 'failed', serviceId, error } : { type: 'failed', serviceId, error, trace: at })),
    )
  })

/**
 * Drain one service, under its lease when there is one: a replica that cannot get the lease does
 * nothing and says `busy` (the holder sees every request in the shared log; the caller retries
 * later in case the holder finished just before our request arrived).
 */
export const drainService$ = (serviceId: string, deps: DrainDeps): Observable<DrainEvent> => {
  if (deps.lease === undefined) return drainHeld$(serviceId, deps, undefined)
  const lease = heldLease(deps.lease, deps.leaseRenewMs)
  return defer(() => lease.acquire(serviceId)).pipe(
    concatMap((held) => {
      if (!held) return of<DrainEvent>({ type: 'busy', serviceId })
      // renewed in the background too, so one long step (Grafana retries) does not lose it
      const renewal = deps.leaseRenewMs === undefined ? undefined : setInterval(() => void lease.renew(serviceId).catch(() => undefined), deps.leaseRenewMs)
      renewal?.unref()
      return drainHeld$(serviceId, deps, lease).pipe(
        finalize(() => {
          clearInterval(renewal)
          void lease.release(serviceId).catch(() => undefined)
        }),
      )
    }),
    catchError((error: unknown) => of<DrainEvent>({ type: 'failed', serviceId, error })),
  )
}
