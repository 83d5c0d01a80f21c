import { EMPTY, type Observable } from 'rxjs'
import type { ServiceEvent } from '../../codecs/events.js'
import type { Step } from '../../state/step.js'
import type { ServiceState } from '../../state/service-state.js'
import { completeRequest$ } from './complete-request.js'
import { deleteDashboards$ } from './delete-dashboards.js'
import { publishResult$ } from './publish-result.js'
import { registerJob$ } from './register-job.js'
import { removeJob$ } from './remove-job.js'
import type { StepDeps } from './step-deps.js'
import { upsertDashboard$ } from './upsert-dashboard.js'

/** Runs one decided step; emits the events that record its outcome (exactly one array). */
export const runStep$ = (step: Step, state: ServiceState, deps: StepDeps): Observable<readonly ServiceEvent[]> => {
  switch (step.type) {
    case 'idle':
      return EMPTY
    // the drain runs `next` once the wait is over; a wait itself does nothing
    case 'wait':
      return EMPTY
    // the log's job: what the service wrote, even when the secret's ownership record lost it
    case 'registerJob':
      return registerJob$(step, deps, state.job?.fingerprint)
    case 'removeJob':
      return removeJob$(step, state.serviceId, deps, state.job?.fingerprint)
    case 'upsertDashboard':
      return upsertDashboard$(step, deps, state.dashboards[step.role] !== undefined)
    case 'deleteDashboards':
      return deleteDashboards$(step, state, deps)
    case 'complete':
      return completeRequest$(step, state, deps)
    case 'publishResult':
      return publishResult$(step, deps)
  }
}
