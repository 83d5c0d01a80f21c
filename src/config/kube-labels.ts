/**
 * SCRAPE_CONFIG_LABELS: `key=value[,key=value]`, the labels every ScrapeConfig carries so the
 * Prometheus resource's `scrapeConfigSelector` picks it up (e.g. `release=prometheus`).
 *
 * Keys and values follow the apiserver's own rules (a bad label would make every apply a 422),
 * and the managed-by key is refused: it is the service's ownership mark and is set by the service.
 */
import * as t from 'io-ts'

export const RESERVED_LABEL_KEY = 'app.kubernetes.io/managed-by'

const NAME = /^(?=.{1,63}$)[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$/
const PREFIX = /^(?=.{1,253}$)[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/
const VALUE = /^(?:|(?=.{1,63}$)[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)$/

/** A Kubernetes label key: `[prefix/]name`, the prefix a DNS-1123 subdomain. */
export const isLabelKey = (key: string): boolean => {
  const slash = key.indexOf('/')
  if (slash < 0) return NAME.test(key)
  return PREFIX.test(key.slice(0, slash)) && NAME.test(key.slice(slash + 1))
}

export const isLabelValue = (value: string): boolean => VALUE.test(value)

const parse = (s: string): Readonly<Record<string, string>> | undefined => {
  const labels: Record<string, string> = {}
  for (const pair of s.split(',')) {
    const eq = pair.indexOf('=')
    if (eq < 0) return undefined
    const key = pair.slice(0, eq).trim()
    const value = pair.slice(eq + 1).trim()
    if (!isLabelKey(key) || !isLabelValue(value) || key === RESERVED_LABEL_KEY || key in labels) return undefined
    labels[key] = value
  }
  return labels
}

export const KubeLabels = new t.Type<Readonly<Record<string, string>>, string, unknown>(
  `comma-separated key=value Kubernetes labels (not ${RESERVED_LABEL_KEY})`,
  (u): u is Readonly<Record<string, string>> => typeof u === 'object' && u !== null,
  (u, c) => {
    const labels = typeof u === 'string' ? parse(u) : undefined
    return labels === undefined ? t.failure(u, c) : t.success(labels)
  },
  (labels) =>
    Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
)
