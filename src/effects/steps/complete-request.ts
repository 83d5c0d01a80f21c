import { of, type Observable } from 'rxjs'
import { requestCompleted, type ServiceEvent } from '../../codecs/events.js'
import { resultIdOf } from '../../state/ids.js'
import { resultData, resultEnvelope, resultRecord } from '../../state/result-message.js'
import type { ServiceState } from '../../state/service-state.js'
import type { CompleteStep } from '../../state/step.js'
import type { StepDeps } from './step-deps.js'

/** Record the request's outcome and the exact result message; publishing is the next step. */
export const completeRequest$ = (step: CompleteStep, state: ServiceState, deps: Pick<StepDeps, 'now' | 'results'>): Observable<readonly ServiceEvent[]> => {
  const { pending } = step
  const at = deps.now().toISOString()
  const resultId = resultIdOf(pending.requestId)
  const data = resultData(state, pending, step.status, step.message, deps.results)
  const envelope = resultEnvelope(
    pending.request.kind,
    data,
    { resultId, kogito: pending.kogito, at, ...(pending.requestTrace === undefined ? {} : { trace: pending.requestTrace }) },
    deps.results,
  )
  const record = resultRecord(pending.request.kind, state.serviceId, envelope)
  return of([
    requestCompleted({
      requestId: pending.requestId,
      at,
      status: step.status,
      resultId,
      result: pending.trace === undefined ? record : { ...record, trace: pending.trace },
    }),
  ])
}
