import { map, of, type Observable } from 'rxjs'
import { scrapeJobRegistered, stepFailed, type ServiceEvent } from '../../codecs/events.js'
import type { RegisterJobStep } from '../../state/step.js'
import { jobOf } from '../desired-state.js'
import type { StepDeps } from './step-deps.js'
import { targetRefusal } from '../prometheus/target-policy.js'

/**
 * Upsert the service's federation job through the active scrape backend (`ScrapeTargets`: the one
 * secret writer or the ScrapeConfig writer), unless the target policy refuses its target: this is
 * the first step of every create, so a refusal here leaves Kubernetes and Grafana untouched and the
 * request answers FAILURE.
 */
export const registerJob$ = (
  step: RegisterJobStep,
  deps: Pick<StepDeps, 'scrapeTargets' | 'now' | 'targetAllow'>,
  /** the fingerprint of the job the log says is in place (the state's job), for a lost ownership record */
  recorded?: string,
): Observable<readonly ServiceEvent[]> => {
  const job = jobOf(step.payload)
  const { requestId } = step.pending
  const refusal = targetRefusal(deps.targetAllow, step.payload.prometheus.host, job.static_configs[0].targets[0])
  if (refusal !== undefined) {
    return of([stepFailed({ requestId, at: deps.now().toISOString(), step: 'registerJob', reason: refusal, retryable: false })])
  }
  return deps.scrapeTargets.submit(recorded === undefined ? { op: 'upsert', job } : { op: 'upsert', job, recorded }, step.pending.trace).pipe(
    map((outcome): readonly ServiceEvent[] => {
      const at = deps.now().toISOString()
      return outcome.ok
        ? [scrapeJobRegistered({ requestId, at, jobName: job.job_name, fingerprint: step.fingerprint })]
        : [
            stepFailed({
              requestId,
              at,
              step: 'registerJob',
              reason: outcome.reason,
              retryable: outcome.retryable,
              ...(outcome.mayHaveLanded === true ? { mayHaveChanged: 'job' as const } : {}),
            }),
          ]
    }),
  )
}
