import { defer, map, type Observable } from 'rxjs'
import type { ServiceEvent } from '../codecs/events.js'
import type { Step } from '../state/decide.js'
import type { StepDeps } from './step-deps.js'

type PublishStep = Extract<Step, { type: 'publishResult' }>

/**
 * Send the recorded result. A broker failure is NOT a request failure: the error propagates, the
 * lane stops for now, and the result stays owed in the log until a later drain sends it.
 */
export const publishResult$ = (step: PublishStep, deps: StepDeps): Observable<readonly ServiceEvent[]> =>
  defer(() => deps.publish(step.result)).pipe(
    map((): readonly ServiceEvent[] => [
      { v: 1, requestId: step.requestId, at: deps.now().toISOString(), type: 'ResultPublished', resultId: step.resultId },
    ]),
  )
