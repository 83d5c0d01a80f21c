/**
 * Configuration of `telemetry-client preview`: only what shapes the service's answer (links,
 * datasource uids, the result's source, the dead-letter topic, the size limit). Nothing is
 * required, so preview runs with an empty environment; the same variables and value codecs as
 * the service (src/config/config.ts), every problem reported at once.
 */
import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from '../codecs/limits.js'
import {
  DEFAULT_KAFKA_MAX_RECORD_BYTES,
  DEFAULTS,
  GrafanaUid,
  HttpUrl,
  IntFromString,
  KubeLabels,
  KubeNamespaceName,
  ScrapeBackendFromString,
  Text,
  TopicName,
  type Env,
} from './config.js'
import { rejectedValueMessage } from './shown-value.js'

export interface PreviewConfig {
  /** GRAFANA_PUBLIC_URL, else GRAFANA_URL, else a placeholder base that says it is one */
  readonly grafanaPublicUrl: string
  readonly prometheusDatasourceUid: string
  readonly lokiDatasourceUid: string
  readonly sourceUri: string
  readonly deadLetterTopic: string
  /** the same limits at the door as the service (MAX_REQUEST_BYTES and friends) */
  readonly limits: RequestLimits
  /** no dead letter it shows is larger (KAFKA_MAX_RECORD_BYTES) */
  readonly maxRecordBytes: number
  /** set when SCRAPE_CONFIG_BACKEND=scrapeconfig: the preview shows the ScrapeConfig instead of the secret's job */
  readonly scrapeConfig?: { readonly namespace: string; readonly labels: Readonly<Record<string, string>> }
}

/** The namespace a preview shows when SCRAPE_CONFIG_NAMESPACE is not set (nothing is required in a preview). */
export const PLACEHOLDER_SCRAPE_CONFIG_NAMESPACE = 'scrape-config-namespace-unset'

/** Links in a preview without GRAFANA_PUBLIC_URL / GRAFANA_URL start with this. */
export const PLACEHOLDER_GRAFANA_URL = 'https://grafana.invalid'

export const loadPreviewConfig = (env: Env): Either<readonly string[], PreviewConfig> => {
  const problems: string[] = []
  const opt = <A>(name: string, codec: t.Type<A, string, unknown>): A | undefined => {
    const raw = env[name]?.trim()
    if (raw === undefined || raw === '') return undefined
    const decoded = codec.decode(raw)
    if (!isLeft(decoded)) return decoded.right
    problems.push(rejectedValueMessage(name, codec.name, raw))
    return undefined
  }
  const requestBytes = IntFromString(1024, 100 * 1024 * 1024)
  const grafanaUrl = opt('GRAFANA_URL', HttpUrl)
  const backend = opt('SCRAPE_CONFIG_BACKEND', ScrapeBackendFromString) ?? 'secret'
  const scrapeConfig =
    backend === 'scrapeconfig'
      ? {
          namespace: opt('SCRAPE_CONFIG_NAMESPACE', KubeNamespaceName) ?? PLACEHOLDER_SCRAPE_CONFIG_NAMESPACE,
          labels: opt('SCRAPE_CONFIG_LABELS', KubeLabels) ?? {},
        }
      : undefined
  const config: PreviewConfig = {
    grafanaPublicUrl: opt('GRAFANA_PUBLIC_URL', HttpUrl) ?? grafanaUrl ?? PLACEHOLDER_GRAFANA_URL,
    prometheusDatasourceUid: opt('GRAFANA_PROMETHEUS_DATASOURCE_UID', GrafanaUid) ?? DEFAULTS.GRAFANA_PROMETHEUS_DATASOURCE_UID,
    lokiDatasourceUid: opt('GRAFANA_LOKI_DATASOURCE_UID', GrafanaUid) ?? DEFAULTS.GRAFANA_LOKI_DATASOURCE_UID,
    sourceUri: opt('SERVICE_SOURCE_URI', Text) ?? DEFAULTS.SERVICE_SOURCE_URI,
    deadLetterTopic: opt('DEAD_LETTER_TOPIC', TopicName) ?? DEFAULTS.DEAD_LETTER_TOPIC,
    limits: {
      maxRequestBytes: opt('MAX_REQUEST_BYTES', requestBytes) ?? opt('MAX_MESSAGE_BYTES', requestBytes) ?? DEFAULT_REQUEST_LIMITS.maxRequestBytes,
      maxCloudEventIdBytes: opt('MAX_CLOUDEVENT_ID_BYTES', IntFromString(36, 65_536)) ?? DEFAULT_REQUEST_LIMITS.maxCloudEventIdBytes,
      maxExtensionAttributeBytes: opt('MAX_EXTENSION_ATTRIBUTE_BYTES', IntFromString(64, 262_144)) ?? DEFAULT_REQUEST_LIMITS.maxExtensionAttributeBytes,
      maxExtensionAttributes: opt('MAX_EXTENSION_ATTRIBUTES', IntFromString(1, 1000)) ?? DEFAULT_REQUEST_LIMITS.maxExtensionAttributes,
      maxExtensionAttributesBytes: opt('MAX_EXTENSION_ATTRIBUTES_BYTES', IntFromString(256, 262_144)) ?? DEFAULT_REQUEST_LIMITS.maxExtensionAttributesBytes,
      maxNamespaces: opt('MAX_NAMESPACES', IntFromString(1, 10_000)) ?? DEFAULT_REQUEST_LIMITS.maxNamespaces,
      maxJobBytes: opt('MAX_JOB_BYTES', IntFromString(256, 1024 * 1024)) ?? DEFAULT_REQUEST_LIMITS.maxJobBytes,
    },
    maxRecordBytes: opt('KAFKA_MAX_RECORD_BYTES', IntFromString(4096, 100 * 1024 * 1024)) ?? DEFAULT_KAFKA_MAX_RECORD_BYTES,
    ...(scrapeConfig === undefined ? {} : { scrapeConfig }),
  }
  return problems.length > 0 ? left(problems) : right(config)
}
