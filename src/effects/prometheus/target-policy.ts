/**
 * Whether a create request may make the central Prometheus scrape its `prometheus.host`.
 *
 * Checked in the register step, the first effect of every create: a refusal there is a
 * `StepFailed` (not retryable), so the request answers FAILURE before the secret or Grafana is
 * touched, and `decide` stays free of configuration. A host is read the way the scraping side
 * may read it: brackets and an IPv6 zone are dropped, IPv4-mapped/-compatible/NAT64 IPv6 is
 * checked as the IPv4 it reaches, and a "hostname" that an address parser takes for an IPv4
 * literal (`127.1`, `0x7f.1`, `2130706433`, `169.254.169.254.`) is checked as that address.
 */
import { embeddedIpv4, inNetwork, parseIp, type AllowRule, type IpAddress } from '../../config/target-allow.js'

/** undefined = PROMETHEUS_TARGET_ALLOW unset: the default policy */
export type TargetAllow = readonly AllowRule[] | undefined

type Host = { readonly kind: 'ip'; readonly ip: IpAddress } | { readonly kind: 'name'; readonly name: string }

const DEFAULT_DENIED: ReadonlyArray<{ readonly what: string; readonly network: string; readonly prefix: number }> = [
  { what: 'loopback', network: '127.0.0.0', prefix: 8 },
  { what: 'loopback', network: '::1', prefix: 128 },
  { what: 'link-local (cloud metadata)', network: '169.254.0.0', prefix: 16 },
  { what: 'link-local', network: 'fe80::', prefix: 10 },
  { what: 'unspecified', network: '0.0.0.0', prefix: 8 },
  { what: 'unspecified', network: '::', prefix: 128 },
]

/** Names that always mean this machine or a cloud metadata endpoint. */
const DENIED_NAMES = ['localhost', 'metadata.google.internal']

/** The host as an address or a lower-case name; undefined when no parser can read it. */
export const readHost = (raw: string): Host | undefined => {
  const inner = raw.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '')
  const direct = parseIp(inner)
  if (direct !== undefined) return { kind: 'ip', ip: embeddedIpv4(direct) ?? direct }
  let hostname: string
  try {
    // the WHATWG host parser reads inet_aton-style IPv4 (octal, hex, short forms, trailing dot)
    hostname = new URL(`http://${inner}/`).hostname
  } catch {
    return undefined
  }
  const ip = parseIp(hostname.replace(/\.$/, ''))
  return ip !== undefined ? { kind: 'ip', ip } : { kind: 'name', name: hostname.toLowerCase().replace(/\.$/, '') }
}

const defaultRefusal = (host: Host): string | undefined => {
  if (host.kind === 'name') {
    const denied = DENIED_NAMES.find((n) => host.name === n || host.name.endsWith(`.${n}`))
    return denied === undefined ? undefined : `"${host.name}" names ${denied === 'localhost' ? 'this machine (loopback)' : 'a cloud metadata endpoint'}`
  }
  for (const rule of DEFAULT_DENIED) {
    const network = parseIp(rule.network)
    if (network !== undefined && inNetwork(host.ip, network, rule.prefix)) return `it is ${rule.what} (${rule.network}/${rule.prefix})`
  }
  return undefined
}

const allowedBy = (host: Host, rules: readonly AllowRule[]): boolean =>
  rules.some((rule) =>
    rule.kind === 'cidr'
      ? host.kind === 'ip' && inNetwork(host.ip, rule.network, rule.prefix)
      : host.kind === 'name' && (host.name === rule.suffix || host.name.endsWith(`.${rule.suffix}`)),
  )

/**
 * undefined when `host` may be scraped, else the FAILURE reason: it names the target and the
 * policy that refused it.
 */
export const targetRefusal = (allow: TargetAllow, host: string, target: string): string | undefined => {
  const read = readHost(host)
  if (read === undefined) return `Prometheus target ${target} refused: "${host}" is not a host the target policy can read`
  if (allow === undefined) {
    const why = defaultRefusal(read)
    return why === undefined
      ? undefined
      : `Prometheus target ${target} refused: ${why}; PROMETHEUS_TARGET_ALLOW is unset, so the default policy allows everything except loopback, link-local (incl. cloud metadata) and unspecified addresses`
  }
  return allowedBy(read, allow) ? undefined : `Prometheus target ${target} refused: not in PROMETHEUS_TARGET_ALLOW (${allow.map((r) => r.text).join(', ')})`
}
