import type { DashboardRef, UpsertOptions } from '../grafana/grafana-port.js'
import type { ScrapeTargets } from '../kube/scrape-targets.js'
import type { DatasourceUids } from '../desired-state.js'
import type { ResultContext } from '../../state/result-message.js'
import type { OutgoingRecord } from '../../codecs/events.js'
import type { TargetAllow } from '../prometheus/target-policy.js'
import type { ObservableInput } from 'rxjs'

/**
 * Publishes one result message; completes once the broker acknowledged it. An ObservableInput (not
 * just a Promise) so marble specs can stand in a cold observable; production passes a Promise.
 */
export type PublishResult = (record: OutgoingRecord) => ObservableInput<void>

/**
 * The Grafana calls the step effects make: the Grafana port (grafana-port.ts, whichever API is
 * underneath; a GrafanaClient fits, its Promises are ObservableInputs). ObservableInput so marble
 * specs can stand in cold observables.
 */
export interface StepGrafana {
  ensureFolder(uid: string, title: string): ObservableInput<void>
  forgetFolder(uid: string): void
  upsertDashboard(
    dashboard: Record<string, unknown>,
    folderUid: string,
    message: string,
    serviceId: string,
    options?: UpsertOptions,
  ): ObservableInput<DashboardRef>
  getDashboard(uid: string): ObservableInput<DashboardRef | undefined>
  deleteDashboard(uid: string): ObservableInput<'deleted' | 'absent'>
  settle(uids: readonly string[]): ObservableInput<readonly string[]>
}

/** Everything the step effects talk to, passed in so tests can give fakes or simulators. */
export interface StepDeps {
  /** where jobs go: the secret writer or the ScrapeConfig writer (SCRAPE_CONFIG_BACKEND) */
  readonly scrapeTargets: ScrapeTargets
  readonly grafana: StepGrafana
  readonly publish: PublishResult
  readonly now: () => Date
  readonly datasources: DatasourceUids
  readonly results: ResultContext
  /** PROMETHEUS_TARGET_ALLOW (undefined = the default policy) */
  readonly targetAllow: TargetAllow
}
