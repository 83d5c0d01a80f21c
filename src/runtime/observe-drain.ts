/**
 * What the lanes report, turned into metrics and the one log line per request outcome.
 */
import { defer, tap, type Observable } from 'rxjs'
import type { DrainEvent } from '../streams/service-drain.js'
import type { Logger } from '../support/logger.js'
import type { Metrics } from './metrics.js'
import { logTraceFields, type TraceContext } from '../support/tracing/trace-context.js'
import { traceOfStep } from '../state/step.js'

/** Records completed requests (count by kind/status, time from publish to result) and logs them. */
export const observeDrainEvent = (metrics: Metrics, logger: Logger, event: DrainEvent): void => {
  if (event.type === 'failed') {
    logger.warn({ serviceId: event.serviceId, err: event.error, ...logTraceFields(event.trace) }, 'drain stopped; the work stays pending and is retried')
    return
  }
  if (event.type === 'superseded') {
    metrics.supersededSteps.inc()
    logger.debug(
      { serviceId: event.serviceId, step: event.step.type, ...logTraceFields(event.trace ?? traceOfStep(event.step)) },
      'step superseded: another writer recorded its outcome first',
    )
    return
  }
  if (event.type !== 'appended' || event.step.type !== 'complete') return
  const { pending, status, message } = event.step
  for (const e of event.events) {
    if (e.type !== 'RequestCompleted') continue
    const kind = pending.request.kind
    metrics.requests.inc({ kind, status })
    const since = Date.parse(pending.publishedAt ?? pending.acceptedAt)
    const seconds = (Date.parse(e.at) - since) / 1000
    if (Number.isFinite(seconds) && seconds >= 0) metrics.requestDuration.observe({ kind }, seconds)
    const line = {
      serviceId: event.serviceId,
      cloudEventId: e.requestId,
      kogitoprocinstanceid: pending.kogito['kogitoprocinstanceid'],
      kind,
      status,
      message,
      ...logTraceFields(event.trace ?? pending.trace),
    }
    if (status === 'SUCCESS') logger.info(line, 'request completed')
    else logger.warn(line, 'request failed')
  }
}

/** A lane's drain (or what observes it) threw: the lane moves on; `trace` is the request it was last at. */
export const logHandlerError = (logger: Logger, serviceId: string, error: unknown, trace?: TraceContext): void =>
  logger.error({ serviceId, err: error, ...logTraceFields(trace) }, 'lane handler errored')

/** Times one step's effect (subscribe → its outcome) into the step histogram. */
export const timedStep = <T>(metrics: Metrics, step: string, effect: () => Observable<T>): Observable<T> =>
  defer(() => {
    const started = performance.now()
    return effect().pipe(tap(() => metrics.stepDuration.observe({ step }, (performance.now() - started) / 1000)))
  })
