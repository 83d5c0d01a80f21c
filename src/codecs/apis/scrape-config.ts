/**
 * The ScrapeConfig custom resource (Prometheus Operator, `monitoring.coreos.com/v1alpha1`) as far
 * as this service writes and reads it: one object per service, whose spec is the federation job.
 *
 * The codecs check only the fields the service relies on and keep every other field the
 * apiserver returns (`t.type` is not exact), so a read-back object from a newer operator version
 * still decodes. Field names are the CRD's camelCase names, not Prometheus' snake_case.
 */
import * as t from 'io-ts'

export const SCRAPE_CONFIG_API_VERSION = 'monitoring.coreos.com/v1alpha1'
export const SCRAPE_CONFIG_KIND = 'ScrapeConfig'

const StringMap = t.record(t.string, t.string)

export const ScrapeConfigRelabeling = t.intersection(
  [
    t.type({ action: t.string }),
    t.partial({ sourceLabels: t.readonlyArray(t.string), targetLabel: t.string, replacement: t.string, regex: t.string, separator: t.string }),
  ],
  'ScrapeConfigRelabeling',
)
export type ScrapeConfigRelabeling = t.TypeOf<typeof ScrapeConfigRelabeling>

export const ScrapeConfigStatic = t.intersection([t.type({ targets: t.readonlyArray(t.string) }), t.partial({ labels: StringMap })], 'ScrapeConfigStatic')
export type ScrapeConfigStatic = t.TypeOf<typeof ScrapeConfigStatic>

export const ScrapeConfigSpec = t.partial(
  {
    jobName: t.string,
    staticConfigs: t.readonlyArray(ScrapeConfigStatic),
    metricsPath: t.string,
    params: t.record(t.string, t.readonlyArray(t.string)),
    honorLabels: t.boolean,
    metricRelabelings: t.readonlyArray(ScrapeConfigRelabeling),
  },
  'ScrapeConfigSpec',
)
export type ScrapeConfigSpec = t.TypeOf<typeof ScrapeConfigSpec>

export const ScrapeConfigMetadata = t.intersection(
  [t.type({ name: t.string }), t.partial({ namespace: t.string, labels: StringMap, annotations: StringMap, resourceVersion: t.string, uid: t.string })],
  'ScrapeConfigMetadata',
)
export type ScrapeConfigMetadata = t.TypeOf<typeof ScrapeConfigMetadata>

export const ScrapeConfigResource = t.type(
  {
    apiVersion: t.literal(SCRAPE_CONFIG_API_VERSION),
    kind: t.literal(SCRAPE_CONFIG_KIND),
    metadata: ScrapeConfigMetadata,
    spec: ScrapeConfigSpec,
  },
  'ScrapeConfigResource',
)
export type ScrapeConfigResource = t.TypeOf<typeof ScrapeConfigResource>

/** What a list call returns; items are decoded one by one by the caller so one bad item is named. */
export const ScrapeConfigList = t.type(
  {
    items: t.readonlyArray(t.unknown),
    metadata: t.partial({ resourceVersion: t.string, continue: t.string }),
  },
  'ScrapeConfigList',
)
export type ScrapeConfigList = t.TypeOf<typeof ScrapeConfigList>
