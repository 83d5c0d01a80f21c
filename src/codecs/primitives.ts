/**
 * Branded primitives for everything a message or the environment carries.
 *
 * Values from SONATA end up inside YAML (Prometheus job names, `match[]` selectors), PromQL/LogQL
 * label matchers, Grafana uids/tags and Redis hash tags `{...}`. The character sets below are
 * deliberately narrow so none of those contexts needs quoting to stay safe, and a value that could
 * change the meaning of a query or document is rejected here, at the boundary.
 * Each codec's `name` reads well in a reason: `expected Port (integer 1-65535), got 70000`.
 */
import * as t from 'io-ts'

/** A string codec with a readable name, an optional normalisation and a brand. */
const brandedString = <B extends t.Branded<string, unknown>>(
  name: string,
  check: (s: string) => boolean,
  normalize: (s: string) => string = (s) => s,
): t.Type<B, string, unknown> =>
  new t.Type<B, string, unknown>(
    name,
    (u): u is B => typeof u === 'string' && check(u) && normalize(u) === u,
    (u, c) => (typeof u === 'string' && check(u) ? t.success(normalize(u) as B) : t.failure(u, c)),
    (b) => b,
  )

// --- ServiceId -------------------------------------------------------------------------------

export interface ServiceIdBrand {
  readonly ServiceId: unique symbol
}
export type ServiceId = t.Branded<string, ServiceIdBrand>
const SERVICE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/
/** Safe as a Prometheus job_name, a label value, a Grafana uid seed/tag and a Redis hash tag. */
export const ServiceId = brandedString<ServiceId>('ServiceId (1-128 of A-Z a-z 0-9 _ . -, starting alphanumeric)', (s) => SERVICE_ID.test(s))

// --- Namespace(s) ----------------------------------------------------------------------------

export interface NamespaceBrand {
  readonly Namespace: unique symbol
}
export type Namespace = t.Branded<string, NamespaceBrand>
const NAMESPACE = /^[A-Za-z0-9_.-]{1,253}$/
/** Wider than a Kubernetes namespace (the spec's `NAMESPACE_1` must pass) but regex- and YAML-inert apart from `.`. */
export const Namespace = brandedString<Namespace>('Namespace (1-253 of A-Z a-z 0-9 _ . -)', (s) => NAMESPACE.test(s))

export const MAX_NAMESPACES = 100
/** Mutable on purpose: requests live inside immer drafts, where readonly arrays do not fit. */
export type Namespaces = Namespace[]
/**
 * Non-empty, at most 100 entries (counted before de-duplication, to bound the work a message can
 * cause). Duplicates are removed keeping first-seen order: a repeated namespace is harmless and
 * rejecting it would fail a request SONATA considers valid.
 */
export const Namespaces = new t.Type<Namespaces, string[], unknown>(
  `Namespaces (1-${MAX_NAMESPACES} namespaces)`,
  (u): u is Namespaces => Array.isArray(u) && u.length > 0 && u.length <= MAX_NAMESPACES && u.every((n) => Namespace.is(n)) && new Set(u).size === u.length,
  (u, c) => {
    if (!Array.isArray(u) || u.length === 0 || u.length > MAX_NAMESPACES) return t.failure(u, c)
    const errors: t.ValidationError[] = []
    const seen = new Set<Namespace>()
    u.forEach((item: unknown, i) => {
      if (Namespace.is(item)) seen.add(item)
      else errors.push({ value: item, context: [...c, { key: String(i), type: Namespace, actual: item }] })
    })
    return errors.length > 0 ? t.failures(errors) : t.success([...seen])
  },
  (ns) => ns,
)

// --- Hosts and ports -------------------------------------------------------------------------

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/
/** RFC 1123 hostname: labels 1-63 characters, total at most 253. */
export const isHostname = (s: string): boolean => s.length > 0 && s.length <= 253 && s.split('.').every((l) => LABEL.test(l))
const OCTET = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/
export const isIPv4 = (s: string): boolean => {
  const parts = s.split('.')
  return parts.length === 4 && parts.every((p) => OCTET.test(p))
}
const groupsOf = (h: string): string[] => (h === '' ? [] : h.split(':'))
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/
/** IPv6 in any textual form RFC 4291 allows (including an embedded IPv4 tail); no zone id. */
export const isIPv6 = (s: string): boolean => {
  if (s.length < 2 || s.length > 45 || !/^[0-9A-Fa-f:.]+$/.test(s)) return false
  const halves = s.split('::')
  if (halves.length > 2) return false
  const head = groupsOf(halves[0] ?? '')
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : []
  const all = [...head, ...tail]
  const last = all[all.length - 1]
  let count = all.length
  if (last !== undefined && last.includes('.')) {
    if (!isIPv4(last)) return false
    all.pop()
    count += 1 // an IPv4 tail stands for two groups
  }
  if (!all.every((g) => HEX_GROUP.test(g))) return false
  return halves.length === 2 ? count <= 7 : count === 8
}
const unbracket = (s: string): string => (s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s)
/** A bare host: hostname, IPv4 dotted quad or IPv6 (brackets optional). No scheme, path or port. */
export const isHost = (s: string): boolean => {
  const inner = unbracket(s)
  if (inner !== s) return isIPv6(inner)
  // IPv4 first: the common case, and the cheapest test
  return isIPv4(s) || isIPv6(s) || (isHostname(s) && !/^[\d.]+$/.test(s))
}

export interface PrometheusHostBrand {
  readonly PrometheusHost: unique symbol
}
export type PrometheusHost = t.Branded<string, PrometheusHostBrand>
/** IPv6 is normalised to the unbracketed form; whoever builds `host:port` adds brackets back. */
export const PrometheusHost = brandedString<PrometheusHost>('PrometheusHost (hostname, IPv4 or IPv6; no scheme, path or port)', isHost, unbracket)

/** `host:port` as Prometheus and Kafka expect it: IPv6 in brackets. */
export const hostPort = (host: string, port: number): string => `${isIPv6(host) ? `[${host}]` : host}:${port}`

export interface PortBrand {
  readonly Port: unique symbol
}
export type Port = t.Branded<number, PortBrand>
const isPort = (u: unknown): u is Port => typeof u === 'number' && Number.isInteger(u) && u >= 1 && u <= 65535
export const Port: t.Type<Port, number, unknown> = new t.Type<Port, number, unknown>(
  'Port (integer 1-65535)',
  isPort,
  (u, c) => (isPort(u) ? t.success(u) : t.failure(u, c)),
  (p) => p,
)

// --- Strings and timestamps ------------------------------------------------------------------

export const NonEmptyString = brandedString<t.Branded<string, { readonly NonEmptyString: unique symbol }>>('NonEmptyString', (s) => s.length > 0)
export type NonEmptyString = t.TypeOf<typeof NonEmptyString>

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/
const daysIn = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate()
/** RFC 3339 date-time with up to nanosecond fractions (Kogito/Quarkus emit nine digits). */
export const isRfc3339 = (s: string): boolean => {
  const m = RFC3339.exec(s)
  if (m === null) return false
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  const offH = m[8] === undefined ? 0 : Number(m[8])
  const offM = m[9] === undefined ? 0 : Number(m[9])
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysIn(y, mo) && h <= 23 && mi <= 59 && se <= 60 && offH <= 23 && offM <= 59
}
export const Rfc3339 = brandedString<t.Branded<string, { readonly Rfc3339: unique symbol }>>('Rfc3339 (timestamp)', isRfc3339)
export type Rfc3339 = t.TypeOf<typeof Rfc3339>
