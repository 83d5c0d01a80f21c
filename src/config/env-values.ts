/**
 * Codecs for single environment values (string → value), each named for what it expects, so a
 * bad variable is reported as e.g. `GRAFANA_TIMEOUT_MS: expected integer 100-600000, got "10s"`.
 */
import * as t from 'io-ts'
import { hostPort, isHost } from '../codecs/primitives.js'
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]
export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const
export type SaslMechanism = (typeof SASL_MECHANISMS)[number]
export interface HostPort {
  readonly host: string
  readonly port: number
}

/** A codec from an environment string; its name is what the reason says was expected. */
const fromString = <A>(name: string, parse: (s: string) => A | undefined, encode: (a: A) => string): t.Type<A, string, unknown> =>
  new t.Type<A, string, unknown>(
    name,
    (u): u is A => parse(typeof u === 'string' ? u : '') !== undefined,
    (u, c) => {
      const a = typeof u === 'string' ? parse(u) : undefined
      return a === undefined ? t.failure(u, c) : t.success(a)
    },
    encode,
  )
const str = (name: string, re: RegExp): t.Type<string, string, unknown> =>
  fromString(
    name,
    (s) => (re.test(s) ? s : undefined),
    (s) => s,
  )

export const IntFromString = (min: number, max: number): t.Type<number, string, unknown> =>
  fromString(`integer ${min}-${max}`, (s) => (/^\d{1,15}$/.test(s) && Number(s) >= min && Number(s) <= max ? Number(s) : undefined), String)
export const RatioFromString = fromString(
  'decimal ratio in (0, 1]',
  (s) => (/^(?:\d+(?:\.\d+)?|\.\d+)$/.test(s) && Number(s) > 0 && Number(s) <= 1 ? Number(s) : undefined),
  String,
)
/** a fraction where 0 is allowed and means off */
export const FractionFromString = fromString(
  'decimal in [0, 1]',
  (s) => (/^(?:\d+(?:\.\d+)?|\.\d+)$/.test(s) && Number(s) <= 1 ? Number(s) : undefined),
  String,
)
const BOOLS: Readonly<Record<string, boolean>> = { true: true, false: false, 1: true, 0: false, yes: true, no: false }
export const BooleanFromString = fromString('boolean (true/false/1/0/yes/no)', (s) => BOOLS[s.toLowerCase()], String)
const oneOf = <L extends string>(values: readonly L[]): t.Type<L, string, unknown> =>
  fromString(
    `one of ${values.join('|')}`,
    (s) => values.find((v) => v === s.toLowerCase()),
    (l) => l,
  )
export const LogLevelFromString = oneOf(LOG_LEVELS)
export const SaslMechanismFromString = oneOf(SASL_MECHANISMS)
/** SCRAPE_CONFIG_BACKEND: where the federation jobs go (one shared secret, or one ScrapeConfig per service) */
export const SCRAPE_BACKENDS = ['secret', 'scrapeconfig'] as const
export type ScrapeBackend = (typeof SCRAPE_BACKENDS)[number]
export const ScrapeBackendFromString = oneOf(SCRAPE_BACKENDS)
/** GRAFANA_API: which Grafana API holds dashboards and folders (`auto` asks Grafana's discovery) */
export const GRAFANA_APIS = ['auto', 'legacy', 'apis'] as const
export type GrafanaApiChoice = (typeof GRAFANA_APIS)[number]
export const GrafanaApiFromString = oneOf(GRAFANA_APIS)

const parseHostPort = (s: string): HostPort | undefined => {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(s.trim())
  const host = m?.[1]
  const port = Number(m?.[2])
  return host !== undefined && isHost(host) && port >= 1 && port <= 65535 ? { host: host.replace(/^\[(.*)\]$/, '$1'), port } : undefined
}
const list = <A>(name: string, item: (s: string) => A | undefined, encodeItem: (a: A) => string): t.Type<readonly A[], string, unknown> =>
  fromString<readonly A[]>(
    name,
    (s) => {
      const items = s.split(',').map(item)
      return items.every((i) => i !== undefined) ? items : undefined
    },
    (as) => as.map(encodeItem).join(','),
  )
export const HostPortList = list('comma-separated host:port list', parseHostPort, (hp) => hostPort(hp.host, hp.port))
/** kafkajs takes `host:port` strings, so brokers stay strings (validated, trimmed). */
export const BrokerList = list(
  'comma-separated host:port list',
  (s) => (parseHostPort(s) === undefined ? undefined : s.trim()),
  (s) => s,
)

const parseUrl = (s: string, protocols: readonly string[]): URL | undefined => {
  try {
    const u = new URL(s)
    return protocols.includes(u.protocol) ? u : undefined
  } catch {
    return undefined
  }
}
/** Trailing slashes are dropped so `${url}/api/...` and `${publicUrl}${dashboard.url}` never double them. */
export const HttpUrl = fromString(
  'http(s) URL without credentials, query or fragment',
  (s) => {
    const u = parseUrl(s, ['http:', 'https:'])
    return u === undefined || u.username !== '' || u.password !== '' || u.search !== '' || u.hash !== '' ? undefined : u.href.replace(/\/+$/, '')
  },
  (s) => s,
)
export const RedisUrl = fromString(
  'redis:// or rediss:// URL',
  (s) => (parseUrl(s, ['redis:', 'rediss:']) === undefined ? undefined : s),
  (s) => s,
)

const NO_CONTROL = /^[^\s\u0000-\u001f\u007f]+$/ // eslint-disable-line no-control-regex
export const Text = str('non-empty text without whitespace', NO_CONTROL)
export const Secret = str('non-empty text', /^[^\u0000-\u001f\u007f]+$/) // eslint-disable-line no-control-regex
export const KubeNamespaceName = str('Kubernetes namespace name (DNS-1123 label)', /^(?=.{1,63}$)[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/)
export const KubeObjectName = str(
  'Kubernetes object name (DNS-1123 subdomain)',
  /^(?=.{1,253}$)[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*$/,
)
export const SecretKey = str('secret data key (1-253 of A-Z a-z 0-9 - _ .)', /^[-._a-zA-Z0-9]{1,253}$/)
export const GrafanaUid = str('Grafana uid (1-40 of A-Z a-z 0-9 - _)', /^[A-Za-z0-9_-]{1,40}$/)
export const TopicName = str('Kafka topic name (1-249 of A-Z a-z 0-9 . _ -)', /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,249}$/)
/** Braces would become a Redis Cluster hash tag and move every key to one slot. */
export const KeyPrefix = str('key prefix (1-64 characters, no whitespace or braces)', /^[^\s{}\u0000-\u001f\u007f]{1,64}$/) // eslint-disable-line no-control-regex
/** A Prometheus/Loki label name (LOKI_SERVICE_LABEL); `__` names are reserved for internal use. */
export const LabelName = fromString(
  'label name [a-zA-Z_][a-zA-Z0-9_]*, not starting with __',
  (s) => (/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(s) && !s.startsWith('__') ? s : undefined),
  (s) => s,
)
