import { map, type Observable } from 'rxjs'
import { scrapeJobRegistered, stepFailed, type ServiceEvent } from '../codecs/events.js'
import type { RegisterJobStep } from '../state/step.js'
import { jobOf } from './desired-state.js'
import type { StepDeps } from './step-deps.js'

/** Upsert the service's federation job through the one secret writer. */
export const registerJob$ = (step: RegisterJobStep, deps: Pick<StepDeps, 'secretWriter' | 'now'>): Observable<readonly ServiceEvent[]> => {
  const job = jobOf(step.payload)
  const { requestId } = step.pending
  return deps.secretWriter.submit({ op: 'upsert', job }).pipe(
    map((outcome): readonly ServiceEvent[] => {
      const at = deps.now().toISOString()
      return outcome.ok
        ? [scrapeJobRegistered({ requestId, at, jobName: job.job_name, fingerprint: step.fingerprint })]
        : [stepFailed({ requestId, at, step: 'registerJob', reason: outcome.reason, retryable: outcome.retryable })]
    }),
  )
}
