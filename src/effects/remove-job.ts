import { map, type Observable } from 'rxjs'
import type { ServiceEvent } from '../codecs/events.js'
import type { Step } from '../state/decide.js'
import type { StepDeps } from './step-deps.js'

type RemoveJob = Extract<Step, { type: 'removeJob' }>

/** Remove the job named after the service (no write when it is not there). */
export const removeJob$ = (step: RemoveJob, serviceId: string, deps: StepDeps): Observable<readonly ServiceEvent[]> => {
  const meta = { v: 1, requestId: step.pending.requestId } as const
  return deps.secretWriter.submit({ op: 'remove', jobName: serviceId }).pipe(
    map((outcome): readonly ServiceEvent[] => {
      const at = deps.now().toISOString()
      return outcome.ok
        ? [{ ...meta, at, type: 'ScrapeJobRemoved', jobName: serviceId, wasPresent: outcome.wasPresent }]
        : [{ ...meta, at, type: 'StepFailed', step: 'removeJob', reason: outcome.reason, retryable: outcome.retryable }]
    }),
  )
}
