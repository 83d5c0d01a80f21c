import type { GrafanaClient } from './grafana-client.js'
import type { SecretWriter } from './secret-writer.js'
import type { DatasourceUids } from './desired-state.js'
import type { ResultContext } from '../state/result-message.js'
import type { ResultRecord } from '../codecs/events.js'
import type { ObservableInput } from 'rxjs'

/**
 * Publishes one result message; completes once the broker acknowledged it. An ObservableInput (not
 * just a Promise) so marble specs can stand in a cold observable; production passes a Promise.
 */
export type PublishResult = (record: ResultRecord) => ObservableInput<void>

/** Everything the step effects talk to, passed in so tests can give fakes or simulators. */
export interface StepDeps {
  readonly secretWriter: SecretWriter
  readonly grafana: GrafanaClient
  readonly publish: PublishResult
  readonly now: () => Date
  readonly datasources: DatasourceUids
  readonly results: ResultContext
}
