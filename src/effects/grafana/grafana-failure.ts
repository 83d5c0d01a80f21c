import { GrafanaError } from './grafana-error.js'

/** A Grafana failure as a readable reason (the client's messages never contain credentials). */
export const grafanaReason = (error: unknown): { reason: string; retryable: boolean } =>
  error instanceof GrafanaError
    ? { reason: `Grafana ${error.message}`, retryable: error.kind === 'retryable' }
    : { reason: `Grafana call failed: ${error instanceof Error ? error.message : String(error)}`, retryable: true }
