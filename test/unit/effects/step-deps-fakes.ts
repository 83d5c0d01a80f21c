/**
 * Fakes for the step effects' marble specs: every dep an effect does not use throws, so a spec
 * names only the collaborator it is about (a cold observable standing in for it), and a step is
 * built the way the service builds it: fold the log, then `decide`.
 */
import { EMPTY, throwError, type Observable } from 'rxjs'
import type { ServiceEvent } from '../../../src/codecs/events.js'
import type { JobEdit } from '../../../src/effects/prometheus/owned-list-edits.js'
import type { JobEditOutcome, SecretWriter } from '../../../src/effects/kube/secret/secret-writer.js'
import type { StepDeps, StepGrafana } from '../../../src/effects/steps/step-deps.js'
import { decide } from '../../../src/state/decide.js'
import type { Step } from '../../../src/state/step.js'
import { fold } from '../../../src/state/evolve.js'
import { initialServiceState, type ServiceState } from '../../../src/state/service-state.js'
import { SERVICE, fakeDesired } from '../../fixtures/events.js'

/** What `deps.now()` answers: the time every recorded event carries. */
export const NOW = '2024-11-01T10:00:05.000Z'

const unused = (what: string) => (): never => {
  throw new Error(`${what} is not part of this spec`)
}

/** A Grafana whose every call fails the spec; a spec overrides the calls it is about. */
export const unusedGrafana: StepGrafana = {
  ensureFolder: unused('grafana.ensureFolder'),
  forgetFolder: unused('grafana.forgetFolder'),
  upsertDashboard: unused('grafana.upsertDashboard'),
  deleteDashboard: unused('grafana.deleteDashboard'),
  getDashboard: unused('grafana.getDashboard'),
  settle: unused('grafana.settle'),
}

/** The secret writer's answers to one edit. */
export const written = (wasPresent: boolean): JobEditOutcome => ({ ok: true, changed: true, wasPresent })
export const refused = (reason: string, retryable: boolean): JobEditOutcome => ({ ok: false, reason, retryable })

/** A secret writer whose every submit answers with `outcome$` and records the edit it was given. */
export const secretWriterAnswering = (outcome$: Observable<JobEditOutcome>) => {
  const submitted: JobEdit[] = []
  const writer: SecretWriter = {
    submit: (edit) => {
      submitted.push(edit)
      return outcome$
    },
    stats: { writes: 0, batches: 0, editsSubmitted: 0, conflicts: 0, inFlight: 0, maxInFlight: 0, lastBytes: 0 },
    reports$: EMPTY,
    close: () => undefined,
  }
  return { writer, submitted }
}

export const stepDeps = (overrides: Partial<StepDeps> = {}): StepDeps => ({
  scrapeTargets: secretWriterAnswering(throwError(() => new Error('secretWriter is not part of this spec'))).writer,
  grafana: unusedGrafana,
  publish: unused('publish'),
  targetAllow: undefined,
  now: () => new Date(NOW),
  datasources: { prometheusDatasourceUid: 'prom-uid', lokiDatasourceUid: 'loki-uid' },
  results: { sourceUri: '/telemetry-client', grafanaPublicUrl: 'https://grafana.example' },
  ...overrides,
})

/** The service's state after `log`, from its first event on. */
export const stateAfter = (log: readonly ServiceEvent[]): ServiceState => fold(initialServiceState(SERVICE), log)

/** The step the service would run next after `log`; fails the spec if it is another kind of step. */
export const nextStep = <K extends Step['type']>(log: readonly ServiceEvent[], type: K): Extract<Step, { type: K }> => {
  const step = decide(stateAfter(log), fakeDesired)
  if (step.type !== type) throw new Error(`expected the next step to be ${type}, the log decides ${step.type}`)
  return step as Extract<Step, { type: K }>
}
