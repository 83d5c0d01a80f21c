/**
 * What the Prometheus Operator generates into its Prometheus' configuration for one ScrapeConfig
 * (monitoring.coreos.com/v1alpha1), for the fields the service writes, so the tests and the local stack give a real
 * central Prometheus exactly what the Operator would. Field by field, from the Operator's API
 * reference (ScrapeConfigSpec) and its generated configuration:
 *
 * - `job_name`: always `scrapeConfig/<namespace>/<name>` (the Operator owns job names, so two
 *   objects can never collide); `spec.jobName` becomes the `job` label by a relabeling instead;
 * - `honor_labels`: `spec.honorLabels` (the Prometheus resource's `overrideHonorLabels: true`
 *   forces false; the service's deployment does not set it);
 * - `metrics_path`, `params`: copied; `static_configs`: `targets` and `labels` copied;
 * - `relabel_configs`: first `job` → `__tmp_prometheus_job_name` (every generated job starts
 *   so), then `job` = `spec.jobName`, then the object's own relabelings (none here), then the
 *   sharding pair (`hashmod` of `__address__` by the shard count, `keep` `$(SHARD)`, which the
 *   config reloader replaces with the pod's shard number; one shard here, shard 0);
 * - `metric_relabel_configs`: `spec.metricRelabelings` in snake_case (`targetLabel` →
 *   `target_label`, `sourceLabels` → `source_labels`), plus the enforced namespace label rule
 *   when the Prometheus resource sets `enforcedNamespaceLabel` (not set here).
 */
import { yamlText } from '../src/effects/prometheus/yaml-text.js'
import type { ScrapeConfigRelabeling, ScrapeConfigResource } from '../src/codecs/apis/scrape-config.js'

const relabeling = (r: ScrapeConfigRelabeling): Record<string, unknown> => ({
  ...(r.sourceLabels === undefined ? {} : { source_labels: [...r.sourceLabels] }),
  ...(r.separator === undefined ? {} : { separator: r.separator }),
  ...(r.targetLabel === undefined ? {} : { target_label: r.targetLabel }),
  ...(r.regex === undefined ? {} : { regex: r.regex }),
  ...(r.replacement === undefined ? {} : { replacement: r.replacement }),
  action: r.action,
})

export const operatorJobName = (object: Pick<ScrapeConfigResource, 'metadata'>): string =>
  `scrapeConfig/${object.metadata.namespace ?? 'default'}/${object.metadata.name}`

/** The Operator's scrape config for one ScrapeConfig object (one shard, shard 0). */
export const operatorScrapeConfig = (object: ScrapeConfigResource): Record<string, unknown> => {
  const { spec } = object
  return {
    job_name: operatorJobName(object),
    ...(spec.honorLabels === undefined ? {} : { honor_labels: spec.honorLabels }),
    ...(spec.metricsPath === undefined ? {} : { metrics_path: spec.metricsPath }),
    ...(spec.params === undefined ? {} : { params: Object.fromEntries(Object.entries(spec.params).map(([k, v]) => [k, [...v]])) }),
    ...(spec.staticConfigs === undefined
      ? {}
      : {
          static_configs: spec.staticConfigs.map((s) => ({ targets: [...s.targets], ...(s.labels === undefined ? {} : { labels: { ...s.labels } }) })),
        }),
    relabel_configs: [
      { source_labels: ['job'], target_label: '__tmp_prometheus_job_name' },
      ...(spec.jobName === undefined ? [] : [{ target_label: 'job', replacement: spec.jobName }]),
      { source_labels: ['__address__'], target_label: '__tmp_hash', modulus: 1, action: 'hashmod' },
      { source_labels: ['__tmp_hash'], regex: '0', action: 'keep' },
    ],
    ...(spec.metricRelabelings === undefined ? {} : { metric_relabel_configs: spec.metricRelabelings.map(relabeling) }),
  }
}

/** The list of the Operator's scrape configs for these objects, sorted as the Operator sorts them (namespace/name). */
export const operatorScrapeConfigsYaml = (objects: readonly ScrapeConfigResource[]): string => {
  const sorted = [...objects].sort((a, b) => operatorJobName(a).localeCompare(operatorJobName(b)))
  return sorted.length === 0 ? '[]' : yamlText(sorted.map(operatorScrapeConfig))
}
