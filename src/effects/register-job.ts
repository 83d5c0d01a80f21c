import { map, of, type Observable } from 'rxjs'
import type { ServiceEvent } from '../codecs/events.js'
import type { Step } from '../state/decide.js'
import { jobOf } from './desired-state.js'
import type { StepDeps } from './step-deps.js'
import { targetRefusal } from './target-policy.js'

type RegisterJob = Extract<Step, { type: 'registerJob' }>

/**
 * Upsert the service's federation job through the one secret writer, unless the target policy
 * refuses its target: this is the first step of every create, so a refusal here leaves the secret
 * and Grafana untouched and the request answers FAILURE.
 */
export const registerJob$ = (step: RegisterJob, deps: StepDeps): Observable<readonly ServiceEvent[]> => {
  const job = jobOf(step.payload)
  const meta = { v: 1, requestId: step.pending.requestId } as const
  const refusal = targetRefusal(deps.targetAllow, step.payload.prometheus.host, job.static_configs[0].targets[0])
  if (refusal !== undefined) {
    return of([{ ...meta, at: deps.now().toISOString(), type: 'StepFailed', step: 'registerJob', reason: refusal, retryable: false }])
  }
  return deps.secretWriter.submit({ op: 'upsert', job }).pipe(
    map((outcome): readonly ServiceEvent[] => {
      const at = deps.now().toISOString()
      return outcome.ok
        ? [{ ...meta, at, type: 'ScrapeJobRegistered', jobName: job.job_name, fingerprint: step.fingerprint }]
        : [{ ...meta, at, type: 'StepFailed', step: 'registerJob', reason: outcome.reason, retryable: outcome.retryable }]
    }),
  )
}
