/**
 * The Prometheus federation job we register for a service: the central Prometheus scrapes the
 * managed cluster's Prometheus at `/federate`, asking only for the service's namespaces.
 *
 * The object is a Prometheus Operator `additionalScrapeConfigs` list item. Field names are the
 * Prometheus YAML names (snake_case), because this object is dumped into the secret as is.
 */
import { createHash } from 'node:crypto'
import { namespaceSelector, TENANT_LABEL } from './promql.js'

export interface ScrapeJobSpec {
  readonly serviceId: string
  readonly namespaces: readonly string[]
  readonly host: string
  readonly port: number
}

export interface ScrapeJob {
  readonly job_name: string
  /** Keep the managed cluster's own labels (namespace, pod...) instead of prefixing them `exported_`. */
  readonly honor_labels: true
  readonly metrics_path: '/federate'
  readonly params: { readonly 'match[]': readonly string[] }
  readonly static_configs: readonly [
    {
      readonly targets: readonly [string]
      readonly labels: { readonly serviceId: string }
    },
  ]
  /** Stamps the service's identity on every federated series (see `TENANT_LABEL`). */
  readonly metric_relabel_configs: readonly [TenantRelabel]
}

/**
 * `action: replace` with no source labels matches every series (the default regex `(.*)` matches
 * the empty concatenation) and writes the fixed replacement; it runs after `honor_labels`, so the
 * scraped side cannot override it. The serviceId codec allows no `$`, so nothing is expanded.
 */
export interface TenantRelabel {
  readonly action: 'replace'
  readonly target_label: typeof TENANT_LABEL
  readonly replacement: string
}

/**
 * `host:port` as Prometheus expects a target: an IPv6 literal needs brackets (`[::1]:9090`),
 * otherwise the port would be read as part of the address. A host already in brackets is kept.
 */
export const targetAddress = (host: string, port: number): string => (host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`)

/** The scrape config for one service; the job is named after the serviceId so delete can find it. */
export const federationJob = (spec: ScrapeJobSpec): ScrapeJob => ({
  job_name: spec.serviceId,
  honor_labels: true,
  metrics_path: '/federate',
  params: { 'match[]': [`{${namespaceSelector(spec.namespaces)}}`] },
  static_configs: [{ targets: [targetAddress(spec.host, spec.port)], labels: { serviceId: spec.serviceId } }],
  metric_relabel_configs: [{ action: 'replace', target_label: TENANT_LABEL, replacement: spec.serviceId }],
})

/**
 * JSON with object keys sorted at every level, so two values that are deep-equal serialize
 * identically whatever their key order (a job read back from YAML keeps the secret's order).
 */
export const canonicalJson = (value: unknown): string => JSON.stringify(sortKeys(value))

const sortKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]))
  }
  return value
}

/**
 * A short stable hash of a job (sha256 hex of its canonical JSON, first 16 chars). Accepts any
 * value so a job found in the secret (`findJob`) can be compared with the one we would write:
 * equal fingerprints mean the job is already in place and the secret needs no write.
 */
export const jobFingerprint = (job: unknown): string => createHash('sha256').update(canonicalJson(job)).digest('hex').slice(0, 16)
