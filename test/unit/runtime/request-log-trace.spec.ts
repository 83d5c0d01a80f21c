/**
 * Logs join traces: every line written about a request carries `trace_id` and `span_id`, taken
 * from the item (the step's span when the step was traced, else the context the request carried:
 * its incoming one when tracing is off), never from ambient async context.
 */
import { expect } from 'chai'
import { Writable } from 'node:stream'
import { Registry } from 'prom-client'
import { firstValueFrom, of } from 'rxjs'
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace'
import { stepFailed, type ServiceEvent } from '../../../src/codecs/events.js'
import { requestCompleted } from '../../fixtures/events.js'
import { tracingFromEnv } from '../../../src/config/tracing-env.js'
import type { ScrapeTargets } from '../../../src/effects/kube/scrape-targets.js'
import { SECRET_STEP_NAMES, tracedSteps } from '../../../src/effects/steps/traced-step.js'
import { reportingLostRecords } from '../../../src/runtime/rooms/lost-record-report.js'
import { createMetrics } from '../../../src/runtime/metrics.js'
import { logHandlerError, observeDrainEvent } from '../../../src/runtime/observe-drain.js'
import { createRetryMetrics } from '../../../src/runtime/retry-metrics.js'
import { initialServiceState, type PendingRequest, newPending } from '../../../src/state/service-state.js'
import type { CompleteStep, DeleteDashboardsStep } from '../../../src/state/step.js'
import { createLogger } from '../../../src/support/logger.js'
import { startTracing } from '../../../src/support/tracing/otel-sdk.js'
import type { TraceContext } from '../../../src/support/tracing/trace-context.js'
import { NO_TRACING } from '../../../src/support/tracing/tracing.js'
import type { Step } from '../../../src/state/step.js'
import type { ServiceState } from '../../../src/state/service-state.js'
import type { StepRun } from '../../../src/effects/steps/traced-step.js'
import type { ServiceLanes } from '../../../src/streams/service-lanes.js'
import { createAccepted, outcomeOf } from '../../fixtures/events.js'
import { startTestLanes } from '../../support/test-lanes.js'
import { MemoryEventStore } from '../../support/memory-event-store.js'

const REQUEST = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16) }
const STEP = { traceId: 'a'.repeat(32), spanId: 'c'.repeat(16) }
const ctxOf = (ids: { readonly traceId: string; readonly spanId: string }): TraceContext => ({ traceparent: `00-${ids.traceId}-${ids.spanId}-01` })

const pending = newPending(
  'r1',
  { kind: 'delete', payload: { serviceId: 'svc' as PendingRequest['request']['payload']['serviceId'] } },
  new Date().toISOString(),
  { trace: ctxOf(REQUEST) },
)
const complete: CompleteStep = { type: 'complete', pending, status: 'SUCCESS', message: 'done' }
const deleteStep: DeleteDashboardsStep = { type: 'deleteDashboards', pending }
const completed = requestCompleted('r1', 'SUCCESS')
const transient = stepFailed({
  requestId: 'r1',
  at: new Date().toISOString(),
  step: 'deleteDashboards',
  reason: 'HTTP 503',
  retryable: true,
  retryAt: new Date(Date.now() + 1000).toISOString(),
})

const capture = () => {
  const lines: Record<string, unknown>[] = []
  const logger = createLogger(
    'debug',
    new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) }),
  )
  return { lines, logger }
}
const metrics = () => createMetrics({ openLanes: () => 0, grafanaRetries: () => new Map() })

describe('log lines about a request carry its trace context', () => {
  it('request completed: the span of the step it ran in', () => {
    const { lines, logger } = capture()
    observeDrainEvent(metrics(), logger, {
      type: 'appended',
      serviceId: 'svc',
      step: complete,
      events: [completed],
      state: initialServiceState('svc'),
      trace: ctxOf(STEP),
    })
    expect(lines).to.have.length(1)
    expect(lines[0]).to.include({ msg: 'request completed', trace_id: STEP.traceId, span_id: STEP.spanId })
  })

  it('without a step span (tracing off) the context the request was stored with', () => {
    const { lines, logger } = capture()
    observeDrainEvent(metrics(), logger, { type: 'appended', serviceId: 'svc', step: complete, events: [completed], state: initialServiceState('svc') })
    observeDrainEvent(metrics(), logger, { type: 'superseded', serviceId: 'svc', step: deleteStep })
    expect(lines).to.have.length(2)
    for (const line of lines) expect(line).to.include({ trace_id: REQUEST.traceId, span_id: REQUEST.spanId })
  })

  it('a transient fault: the failed step span', () => {
    const { lines, logger } = capture()
    createRetryMetrics(
      new Registry(),
      () => 0,
      logger,
    )({ type: 'appended', serviceId: 'svc', step: deleteStep, events: [transient], state: initialServiceState('svc'), trace: ctxOf(STEP) })
    expect(lines).to.have.length(1)
    expect(lines[0]).to.include({ msg: 'transient fault; the step is tried again later', trace_id: STEP.traceId, span_id: STEP.spanId })
  })

  it('an ownership record lost inside a step: the context the step submitted with, passed on to the writer too', async () => {
    const { lines, logger } = capture()
    const seen: (TraceContext | undefined)[] = []
    const targets: ScrapeTargets = { submit: (_edit, trace) => (seen.push(trace), of({ ok: true, changed: true, wasPresent: true, lostRecord: 'not listed' })) }
    await firstValueFrom(reportingLostRecords(targets, 'secret', metrics(), logger).submit({ op: 'remove', jobName: 'svc' }, ctxOf(STEP)))
    expect(seen).to.deep.equal([ctxOf(STEP)])
    expect(lines[0]).to.include({ trace_id: STEP.traceId, span_id: STEP.spanId })
  })

  it('a traced step reports the context it ran in (its own span, child of the request); untraced, just its events', async () => {
    const exporter = new InMemorySpanExporter()
    const tracing = startTracing(tracingFromEnv({ OTEL_TRACES_SAMPLER: 'always_on' }).settings, exporter)
    const run = () => of<readonly ServiceEvent[]>([])
    const ran = await firstValueFrom(tracedSteps(tracing, run, SECRET_STEP_NAMES, 0)(deleteStep, initialServiceState('svc')))
    const span = exporter.getFinishedSpans().find((s) => s.name === 'delete dashboards')
    expect(span?.parentSpanContext?.spanId).to.equal(REQUEST.spanId)
    expect(ran).to.deep.equal({ events: [], trace: { traceparent: `00-${REQUEST.traceId}-${span?.spanContext().spanId ?? ''}-01` } })
    expect(await firstValueFrom(tracedSteps(NO_TRACING, run, SECRET_STEP_NAMES, 0)(deleteStep, initialServiceState('svc')))).to.deep.equal([])
    await tracing.shutdown()
  })

  it('drain stopped: the request the drain was at (its step span); before any step, no trace fields', () => {
    const { lines, logger } = capture()
    observeDrainEvent(metrics(), logger, { type: 'failed', serviceId: 'svc', error: new Error('redis down'), trace: ctxOf(STEP) })
    observeDrainEvent(metrics(), logger, { type: 'failed', serviceId: 'svc', error: new Error('redis down') })
    expect(lines.map((line) => line['msg'])).to.deep.equal([
      'drain stopped; the work stays pending and is retried',
      'drain stopped; the work stays pending and is retried',
    ])
    expect(lines[0]).to.include({ trace_id: STEP.traceId, span_id: STEP.spanId })
    expect(lines[1]).not.to.have.any.keys('trace_id', 'span_id')
  })

  it('lane handler errored: the request the lane was last at', () => {
    const { lines, logger } = capture()
    logHandlerError(logger, 'svc', new Error('boom'), ctxOf(STEP))
    expect(lines[0]).to.include({ msg: 'lane handler errored', serviceId: 'svc', trace_id: STEP.traceId, span_id: STEP.spanId })
  })

  describe('through the lanes (a drain that stops, an observer that throws)', () => {
    let lanes: ServiceLanes | undefined
    afterEach(() => lanes?.stop())

    /** The lanes as the service wires them, over an in-memory log holding one traced request; the step runs "traced" in STEP. */
    const lanesLogging = (
      store: MemoryEventStore,
      onEvent: (event: Parameters<typeof observeDrainEvent>[2]) => void,
      onHandlerError: (serviceId: string, error: unknown, trace?: TraceContext) => void,
    ) => {
      store.stream('svc').push({ ...createAccepted('r1', 'svc'), trace: ctxOf(REQUEST) })
      store.pending.add('svc')
      const runStep = (step: Step, state: ServiceState) => of<StepRun>({ events: outcomeOf(step, state), trace: ctxOf(STEP) })
      lanes = startTestLanes({ store, runStep, onEvent, onHandlerError })
    }
    const until = async (condition: () => boolean): Promise<void> => {
      for (let waited = 0; !condition(); waited += 10) {
        if (waited > 10_000) throw new Error('condition not met within 10 s')
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    }

    it("Redis refuses the append after the step ran: `drain stopped` names the step's span", async () => {
      const { lines, logger } = capture()
      const store = new MemoryEventStore()
      store.append = () => Promise.reject(new Error('redis down'))
      lanesLogging(
        store,
        (event) => observeDrainEvent(metrics(), logger, event),
        (serviceId, error, trace) => logHandlerError(logger, serviceId, error, trace),
      )
      await until(() => lines.length > 0)
      expect(lines[0]).to.include({
        msg: 'drain stopped; the work stays pending and is retried',
        serviceId: 'svc',
        trace_id: STEP.traceId,
        span_id: STEP.spanId,
      })
    })

    it("an observer that throws ends that drain, not the lanes: `lane handler errored` names the request's step", async () => {
      const { lines, logger } = capture()
      lanesLogging(
        new MemoryEventStore(),
        (event) => {
          if (event.type === 'appended') throw new Error('observer bug')
        },
        (serviceId, error, trace) => logHandlerError(logger, serviceId, error, trace),
      )
      await until(() => lines.length > 0)
      expect(lines).to.have.length(1)
      expect(lines[0]).to.include({ msg: 'lane handler errored', serviceId: 'svc', trace_id: STEP.traceId, span_id: STEP.spanId })
    })
  })
})
