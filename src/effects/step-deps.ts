import type { GrafanaClient } from './grafana-client.js'
import type { SecretWriter } from './secret-writer.js'
import type { DatasourceUids } from './desired-state.js'
import type { ResultContext } from '../state/result-message.js'
import type { ResultRecord } from '../codecs/events.js'
import type { TargetAllow } from './target-policy.js'

/** Publishes one result message; resolves once the broker acknowledged it. */
export type PublishResult = (record: ResultRecord) => Promise<void>

/** Everything the step effects talk to, passed in so tests can give fakes or simulators. */
export interface StepDeps {
  readonly secretWriter: SecretWriter
  readonly grafana: GrafanaClient
  readonly publish: PublishResult
  readonly now: () => Date
  readonly datasources: DatasourceUids
  readonly results: ResultContext
  /** PROMETHEUS_TARGET_ALLOW (undefined = the default policy) */
  readonly targetAllow: TargetAllow
}
