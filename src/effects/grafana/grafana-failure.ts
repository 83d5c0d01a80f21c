import { GrafanaError } from './grafana-error.js'

/**
 * A Grafana failure as a readable reason (the client's messages never contain credentials), and
 * whether the write it stopped may have landed all the same (an error that is not the client's own
 * cannot say it did not).
 */
export const grafanaReason = (error: unknown): { reason: string; retryable: boolean; mayHaveLanded: boolean } =>
  error instanceof GrafanaError
    ? { reason: `Grafana ${error.message}`, retryable: error.kind === 'retryable', mayHaveLanded: error.mayHaveLanded }
    : { reason: `Grafana call failed: ${error instanceof Error ? error.message : String(error)}`, retryable: true, mayHaveLanded: true }
