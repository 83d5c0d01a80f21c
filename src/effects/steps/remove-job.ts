import { map, type Observable } from 'rxjs'
import { scrapeJobRemoved, stepFailed, type ServiceEvent } from '../../codecs/events.js'
import type { RemoveJobStep } from '../../state/step.js'
import type { StepDeps } from './step-deps.js'

/**
 * Remove the job named after the service (no write when it is not there). `recorded`: the
 * fingerprint of the job the log says the service registered; with it, a job missing from the
 * ownership record is still removed when it is that job, and refused loudly otherwise.
 */
export const removeJob$ = (
  step: RemoveJobStep,
  serviceId: string,
  deps: Pick<StepDeps, 'scrapeTargets' | 'now'>,
  recorded?: string,
): Observable<readonly ServiceEvent[]> => {
  const { requestId } = step.pending
  return deps.scrapeTargets
    .submit(recorded === undefined ? { op: 'remove', jobName: serviceId } : { op: 'remove', jobName: serviceId, recorded }, step.pending.trace)
    .pipe(
      map((outcome): readonly ServiceEvent[] => {
        const at = deps.now().toISOString()
        return outcome.ok
          ? [scrapeJobRemoved({ requestId, at, jobName: serviceId, wasPresent: outcome.wasPresent })]
          : [stepFailed({ requestId, at, step: 'removeJob', reason: outcome.reason, retryable: outcome.retryable })]
      }),
    )
}
