/**
 * A span per step, started from the context the step's item carries (the request's stored trace):
 * nothing ambient crosses the lane, the retry timer or a restart. The effect then runs with the
 * step span's context in its item, so what it starts (a group-commit queued edit, a door's CLIENT span,
 * the published record's `traceparent`) hangs under this step. A failed step records its reason
 * and an ERROR status. A request this process did not accept itself (accepted before it started:
 * a restart, a crash, a retry hours later) gets a `resume` span first, in the same trace.
 */
import { Observable, defer } from 'rxjs'
import type { ServiceEvent } from '../../codecs/events.js'
import type { ServiceState } from '../../state/service-state.js'
import type { Step, WorkStep } from '../../state/step.js'
import type { TraceContext } from '../../support/tracing/trace-context.js'
import { SpanKind, failSpan, traceContextOfSpan, type Span, type SpanStart, type Tracing } from '../../support/tracing/tracing.js'

export type RunStep = (step: Step, state: ServiceState) => Observable<readonly ServiceEvent[]>

/** A traced step's outcome: its events and the context it ran in (its span's), what the lines logged about it join on. */
export interface StepRun {
  readonly events: readonly ServiceEvent[]
  readonly trace?: TraceContext
}

export type TracedRunStep = (step: Step, state: ServiceState) => Observable<readonly ServiceEvent[] | StepRun>

export interface StepSpanNames {
  /** the register and remove steps by backend: `register job` / `apply ScrapeConfig` */
  readonly registerJob: string
  readonly removeJob: string
}

export const SECRET_STEP_NAMES: StepSpanNames = { registerJob: 'register job', removeJob: 'remove job' }
export const SCRAPE_CONFIG_STEP_NAMES: StepSpanNames = { registerJob: 'apply ScrapeConfig', removeJob: 'delete ScrapeConfig' }

/** How many request ids the resume check remembers (a bound, not a cache: forgetting only risks a second `resume` span). */
const SEEN_LIMIT = 10_000

const parentOf = (step: Step): TraceContext | undefined =>
  step.type === 'publishResult' ? step.result.trace : step.type === 'idle' ? undefined : step.pending.trace

const startOf = (step: Exclude<Step, { type: 'idle' }>, serviceId: string, names: StepSpanNames): { readonly name: string } & SpanStart => {
  if (step.type === 'publishResult') {
    return {
      name: `publish ${step.result.topic}`,
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'send',
        'messaging.destination.name': step.result.topic,
        'messaging.kafka.message.key': step.result.key.slice(0, 256),
        'cloudevents.event_id': step.resultId,
        'cloudevents.event_type': step.result.topic,
        'telemetry.service_id': serviceId,
        'telemetry.request_id': step.requestId,
      },
    }
  }
  const common = {
    'telemetry.service_id': serviceId,
    'telemetry.request_id': step.pending.requestId,
    'telemetry.step': step.type,
    'cloudevents.event_id': step.pending.requestId,
  }
  const attempts = step.type === 'wait' ? undefined : step.pending.attempts
  const attributes = attempts === undefined ? common : { ...common, 'telemetry.step.attempt': attempts + 1 }
  switch (step.type) {
    case 'registerJob':
      return { name: names.registerJob, attributes: { ...attributes, 'telemetry.job_name': step.payload.serviceId } }
    case 'removeJob':
      return { name: names.removeJob, attributes }
    case 'upsertDashboard':
      return { name: `upsert dashboard ${step.role}`, attributes: { ...attributes, 'telemetry.dashboard.role': step.role } }
    case 'deleteDashboards':
      return { name: 'delete dashboards', attributes }
    case 'complete':
      return { name: 'complete', attributes: { ...attributes, 'telemetry.result.status': step.status } }
    case 'wait':
      return { name: 'wait', attributes }
  }
}

/** The step as its effect sees it: carrying the step span's context (complete keeps the request's: its result records that). */
const carrying = (step: Step, ctx: TraceContext | undefined): Step => {
  if (ctx === undefined || step.type === 'idle' || step.type === 'complete' || step.type === 'wait') return step
  if (step.type === 'publishResult') return { ...step, result: { ...step.result, trace: ctx } }
  const work: WorkStep = { ...step, pending: { ...step.pending, trace: ctx } }
  return work
}

const ended = (span: Span, observe: (events: readonly ServiceEvent[]) => void) => {
  let done = false
  const end = () => {
    if (!done) span.end()
    done = true
  }
  return { observe, end }
}

/** The runner with a span around every step; with tracing off, the runner itself (nothing allocated). */
export const tracedSteps = (tracing: Tracing, run: RunStep, names: StepSpanNames, startedAtMs: number): TracedRunStep => {
  if (!tracing.enabled) return run
  const seen = new Set<string>()
  const firstTimeHere = (requestId: string): boolean => {
    if (seen.has(requestId)) return false
    if (seen.size >= SEEN_LIMIT) seen.clear()
    seen.add(requestId)
    return true
  }
  return (step, state) => {
    if (step.type === 'idle') return run(step, state)
    return defer(() => {
      const parent = parentOf(step)
      const acceptedAt = step.type === 'publishResult' ? undefined : step.pending.acceptedAt
      const requestId = step.type === 'publishResult' ? step.requestId : step.pending.requestId
      if (firstTimeHere(requestId) && acceptedAt !== undefined && Date.parse(acceptedAt) < startedAtMs) {
        tracing
          .startSpan('resume', parent, {
            attributes: {
              'telemetry.resumed': true,
              'telemetry.request_id': requestId,
              'telemetry.service_id': state.serviceId,
              'telemetry.accepted_at': acceptedAt,
            },
          })
          .end()
      }
      const { name, ...start } = startOf(step, state.serviceId, names)
      const span = tracing.startSpan(name, parent, start)
      const ctx = traceContextOfSpan(span) ?? parent
      const tracked = ended(span, (events) => {
        for (const event of events) {
          if (event.type !== 'StepFailed') continue
          span.setAttribute('telemetry.step.retryable', event.retryable)
          failSpan(span, event.reason)
        }
      })
      return new Observable<StepRun>((subscriber) => {
        const subscription = tracing.within(ctx, () =>
          run(carrying(step, ctx), state).subscribe({
            next: (events) => {
              tracked.observe(events)
              subscriber.next(ctx === undefined ? { events } : { events, trace: ctx })
            },
            error: (error: unknown) => {
              failSpan(span, error)
              tracked.end()
              subscriber.error(error)
            },
            complete: () => {
              tracked.end()
              subscriber.complete()
            },
          }),
        )
        return () => {
          subscription.unsubscribe()
          tracked.end()
        }
      })
    })
  }
}

/** A retryable failure was given its next attempt: a `wait for retry` span from now until then, in the request's trace. */
export const traceRetryWaits = (tracing: Tracing, step: Step, events: readonly ServiceEvent[], nowMs: number): void => {
  if (!tracing.enabled || step.type === 'idle' || step.type === 'publishResult') return
  for (const event of events) {
    if (event.type !== 'StepFailed' || event.retryAt === undefined) continue
    const until = Date.parse(event.retryAt)
    tracing
      .startSpan('wait for retry', step.pending.trace, {
        startTime: nowMs,
        attributes: {
          'telemetry.request_id': event.requestId,
          'telemetry.step': event.step,
          'telemetry.retry_at': event.retryAt,
          'telemetry.step.attempt': (step.pending.attempts ?? 0) + 1,
          'telemetry.reason': event.reason.slice(0, 500),
        },
      })
      .end(Number.isFinite(until) ? until : nowMs)
  }
}
