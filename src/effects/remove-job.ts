import { map, type Observable } from 'rxjs'
import { scrapeJobRemoved, stepFailed, type ServiceEvent } from '../codecs/events.js'
import type { RemoveJobStep } from '../state/step.js'
import type { StepDeps } from './step-deps.js'

/** Remove the job named after the service (no write when it is not there). */
export const removeJob$ = (step: RemoveJobStep, serviceId: string, deps: Pick<StepDeps, 'scrapeTargets' | 'now'>): Observable<readonly ServiceEvent[]> => {
  const { requestId } = step.pending
  return deps.scrapeTargets.submit({ op: 'remove', jobName: serviceId }, step.pending.trace).pipe(
    map((outcome): readonly ServiceEvent[] => {
      const at = deps.now().toISOString()
      return outcome.ok
        ? [scrapeJobRemoved({ requestId, at, jobName: serviceId, wasPresent: outcome.wasPresent })]
        : [stepFailed({ requestId, at, step: 'removeJob', reason: outcome.reason, retryable: outcome.retryable })]
    }),
  )
}
