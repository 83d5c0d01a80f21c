import { defer, map, type Observable } from 'rxjs'
import { resultPublished, type ServiceEvent } from '../codecs/events.js'
import type { PublishResultStep } from '../state/step.js'
import type { StepDeps } from './step-deps.js'

/**
 * Send the recorded result. A broker failure is NOT a request failure: the error propagates, the
 * lane stops for now, and the result stays owed in the log until a later drain sends it.
 */
export const publishResult$ = (step: PublishResultStep, deps: Pick<StepDeps, 'publish' | 'now'>): Observable<readonly ServiceEvent[]> =>
  defer(() => deps.publish(step.result)).pipe(
    map((): readonly ServiceEvent[] => [resultPublished({ requestId: step.requestId, at: deps.now().toISOString(), resultId: step.resultId })]),
  )
