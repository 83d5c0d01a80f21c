/**
 * One finding of `telemetry-client doctor`. It lives on the lowest floor because each door
 * (Kafka, Redis, Kubernetes/Grafana) probes its own system and reports in this one shape.
 */
export type CheckStatus = 'ok' | 'warning' | 'fail'

export interface DoctorCheck {
  /** what was checked, e.g. `kafka.topic telemetry-platform-service` */
  readonly name: string
  readonly status: CheckStatus
  /** what was found */
  readonly reason: string
  /** what the operator should do; empty when nothing */
  readonly action: string
}

export const checkOk = (name: string, reason: string): DoctorCheck => ({ name, status: 'ok', reason, action: '' })
export const checkWarning = (name: string, reason: string, action: string): DoctorCheck => ({ name, status: 'warning', reason, action })
export const checkFail = (name: string, reason: string, action: string): DoctorCheck => ({ name, status: 'fail', reason, action })

export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error))
