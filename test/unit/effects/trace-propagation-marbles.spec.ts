/**
 * Context through RxJS without ambient state: every item carries its trace context, so spans keep
 * their parent across laneByKey (lanes interleave in virtual time), the retry wait (the next
 * attempt, a timer later, still hangs under the request) and the group commit (one write span,
 * linked from every request it carried, child of none of them).
 */
import { expect } from 'chai'
import { concatMap, map, of, timer, type Observable } from 'rxjs'
import type { TestScheduler } from 'rxjs/testing'
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace'
import { stepFailed, type ServiceEvent } from '../../../src/codecs/events.js'
import { laneByKey } from '../../../src/operators/lane-by-key.js'
import { SECRET_STEP_NAMES, traceRetryWaits, tracedSteps, type StepRun } from '../../../src/effects/steps/traced-step.js'
import { secretWrites$, type QueuedEdit } from '../../../src/effects/kube/secret/secret-writer.js'
import { initialServiceState, type PendingRequest, newPending } from '../../../src/state/service-state.js'
import type { DeleteDashboardsStep } from '../../../src/state/step.js'
import { startTracing } from '../../../src/support/tracing/otel-sdk.js'
import { tracingFromEnv } from '../../../src/config/tracing-env.js'
import type { TraceContext } from '../../../src/support/tracing/trace-context.js'
import { testScheduler } from '../../support/marbles.js'

const traceOf = (n: number): { readonly ctx: TraceContext; readonly traceId: string; readonly spanId: string } => {
  const traceId = n.toString(16).padStart(32, 'a')
  const spanId = n.toString(16).padStart(16, 'b')
  return { ctx: { traceparent: `00-${traceId}-${spanId}-01` }, traceId, spanId }
}

const pendingOf = (requestId: string, trace: TraceContext): PendingRequest =>
  newPending(
    requestId,
    { kind: 'delete', payload: { serviceId: 'svc' as PendingRequest['request']['payload']['serviceId'] } },
    new Date(Date.now() + 60_000).toISOString(),
    { trace },
  )

const stepOf = (requestId: string, trace: TraceContext): DeleteDashboardsStep => ({ type: 'deleteDashboards', pending: pendingOf(requestId, trace) })

const eventsOf = (ran: readonly ServiceEvent[] | StepRun): readonly ServiceEvent[] => ('events' in ran ? ran.events : ran)

const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId

describe('trace context through RxJS (marbles)', () => {
  let scheduler: TestScheduler
  let exporter: InMemorySpanExporter
  const tracing = () => startTracing(tracingFromEnv({ OTEL_TRACES_SAMPLER: 'always_on' }).settings, exporter)
  beforeEach(() => {
    scheduler = testScheduler()
    exporter = new InMemorySpanExporter()
  })

  it('laneByKey: interleaved lanes, each step span under the request its item carries', () => {
    const t = tracing()
    const a = traceOf(1)
    const b = traceOf(2)
    const c = traceOf(3)
    scheduler.run(({ hot, cold, expectObservable }) => {
      const items = { a: { key: 'x', id: 'ra', trace: a.ctx }, b: { key: 'y', id: 'rb', trace: b.ctx }, c: { key: 'x', id: 'rc', trace: c.ctx } }
      const source = hot('-abc-------|', items)
      const run = (): Observable<readonly ServiceEvent[]> => cold('---e|', { e: [] as readonly ServiceEvent[] })
      const runner = tracedSteps(t, run, SECRET_STEP_NAMES, 0)
      const out = source.pipe(
        laneByKey(
          (item) => item.key,
          (item) => runner(stepOf(item.id, item.trace), initialServiceState('svc')).pipe(map(eventsOf)),
          { maxActive: 4, idleMs: 5, scheduler },
        ),
      )
      // x's second item waits for its first (per-lane FIFO); y runs meanwhile
      expectObservable(out).toBe('----ee--e--|', { e: [] })
    })
    const spans = exporter.getFinishedSpans().filter((s) => s.name === 'delete dashboards')
    expect(spans).to.have.length(3)
    for (const { traceId, spanId } of [a, b, c]) {
      const span = spans.find((s) => s.spanContext().traceId === traceId)
      expect(span && parentOf(span), traceId).to.equal(spanId)
    }
  })

  it('the retry wait: a wait span until retryAt, and the attempt after the timer still under the request', () => {
    const t = tracing()
    const a = traceOf(4)
    let attempt = 0
    const retryAtMs = Date.now() + 1000
    scheduler.run(({ expectObservable }) => {
      const step = stepOf('ra', a.ctx)
      const run = (): Observable<readonly ServiceEvent[]> =>
        of(
          attempt++ === 0
            ? [
                stepFailed({
                  requestId: 'ra',
                  at: 'now',
                  step: 'deleteDashboards',
                  reason: 'HTTP 503',
                  retryable: true,
                  retryAt: new Date(retryAtMs).toISOString(),
                }),
              ]
            : [],
        )
      const runner = tracedSteps(t, run, SECRET_STEP_NAMES, 0)
      const out = runner(step, initialServiceState('svc')).pipe(
        map(eventsOf),
        concatMap((events) => {
          traceRetryWaits(t, step, events, retryAtMs - 1000)
          // the lanes' timer: nothing ambient survives it, the step (from the log) carries the context
          return timer(1000).pipe(concatMap(() => runner(step, initialServiceState('svc')).pipe(map(eventsOf))))
        }),
      )
      expectObservable(out).toBe('1000ms (e|)', { e: [] })
    })
    const spans = exporter.getFinishedSpans()
    const attempts = spans.filter((s) => s.name === 'delete dashboards')
    expect(attempts).to.have.length(2)
    expect(attempts.map(parentOf)).to.deep.equal([a.spanId, a.spanId])
    expect(attempts[0]?.status.code).to.equal(2)
    const wait = spans.find((s) => s.name === 'wait for retry')
    expect(wait && parentOf(wait)).to.equal(a.spanId)
    expect(wait?.endTime[0]).to.equal(Math.floor(retryAtMs / 1000))
  })

  it('group commit: one write span per batch, in its own trace, linked from every queued edit it carried', () => {
    const t = tracing()
    const [a, b, c] = [traceOf(5), traceOf(6), traceOf(7)]
    const queuedEdit = (trace: TraceContext): QueuedEdit => ({ edit: { op: 'remove', jobName: 'j' }, reply: () => undefined, trace })
    scheduler.run(({ hot, cold, expectObservable }) => {
      const queued = hot('-abc-----|', { a: queuedEdit(a.ctx), b: queuedEdit(b.ctx), c: queuedEdit(c.ctx) })
      const write = () => cold('---r|', { r: { outcomes: [], report: { edits: 0, written: true, attempts: 1, conflicts: 0, bytes: 0 } } })
      expectObservable(secretWrites$(queued, write, undefined, t).pipe(concatMap(() => of('w')))).toBe('----w---w|')
    })
    const writes = exporter.getFinishedSpans().filter((s) => s.name === 'write secret')
    expect(writes).to.have.length(2)
    expect(writes.map((w) => w.links.map((l) => l.context.spanId))).to.deep.equal([[a.spanId], [b.spanId, c.spanId]])
    for (const w of writes) {
      expect(parentOf(w)).to.equal(undefined)
      expect([a.traceId, b.traceId, c.traceId]).not.to.include(w.spanContext().traceId)
    }
  })
})
