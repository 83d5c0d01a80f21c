import { defer, map, type Observable } from 'rxjs'
import { resultPublished, type ServiceEvent } from '../../codecs/events.js'
import type { PublishResultStep } from '../../state/step.js'
import type { StepDeps } from './step-deps.js'
import { traceHeaders } from '../../support/tracing/trace-context.js'

/**
 * Send the recorded result. A broker failure is NOT a request failure: the error propagates, the
 * lane stops for now, and the result stays owed in the log until a later drain sends it.
 */
export const publishResult$ = (step: PublishResultStep, deps: Pick<StepDeps, 'publish' | 'now'>): Observable<readonly ServiceEvent[]> =>
  defer(() => {
    // the record carries the trace onward: the publish span's context (or the request's, tracing off)
    const { trace, ...record } = step.result
    const headers = traceHeaders(trace)
    return deps.publish(headers === undefined ? record : { ...record, headers })
  }).pipe(map((): readonly ServiceEvent[] => [resultPublished({ requestId: step.requestId, at: deps.now().toISOString(), resultId: step.resultId })]))
