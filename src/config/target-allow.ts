/**
 * `PROMETHEUS_TARGET_ALLOW`: which addresses a create request may point the central Prometheus
 * at. Comma-separated entries, each a CIDR (`10.0.0.0/8`, `fd00::/8`), a single IP (taken as /32
 * or /128) or a DNS suffix (`example.org` or `.example.org`: the domain and every name under it).
 * Unset means the built-in default (see effects/prometheus/target-policy.ts). The IP parsing lives here too,
 * so the rules and the hosts they are checked against are read by one parser.
 */
import * as t from 'io-ts'
import { isIPv4, isIPv6 } from 'node:net'

export interface IpAddress {
  readonly family: 4 | 6
  readonly bytes: readonly number[]
}

export type AllowRule =
  | { readonly kind: 'cidr'; readonly text: string; readonly network: IpAddress; readonly prefix: number }
  | { readonly kind: 'dns-suffix'; readonly text: string; readonly suffix: string }

const ipv4Bytes = (s: string): number[] => s.split('.').map(Number)

/** `s` must already be a valid IPv6 text (node:net isIPv6); an IPv4 tail is folded into two groups. */
const ipv6Bytes = (s: string): number[] => {
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(s)?.[1]
  const [a = 0, b = 0, c = 0, d = 0] = tail === undefined ? [] : ipv4Bytes(tail)
  const text = tail === undefined ? s : `${s.slice(0, -tail.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  const [head = '', rest] = text.split('::')
  const groupsOf = (part: string | undefined): string[] => (part === undefined || part === '' ? [] : part.split(':'))
  const left = groupsOf(head)
  const right = groupsOf(rest)
  const zeros: string[] = rest === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0')
  return [...left, ...zeros, ...right].flatMap((group) => {
    const n = Number.parseInt(group, 16)
    return [n >> 8, n & 0xff]
  })
}

/** A strict IP literal (no brackets, no zone), or undefined. */
export const parseIp = (s: string): IpAddress | undefined => {
  if (isIPv4(s)) return { family: 4, bytes: ipv4Bytes(s) }
  if (isIPv6(s)) return { family: 6, bytes: ipv6Bytes(s) }
  return undefined
}

/**
 * The IPv4 address an IPv6 address reaches, if any: IPv4-mapped `::ffff:a.b.c.d` (a dual-stack
 * socket connects to the IPv4 host), IPv4-compatible `::a.b.c.d` and NAT64 `64:ff9b::a.b.c.d`.
 */
export const embeddedIpv4 = (ip: IpAddress): IpAddress | undefined => {
  if (ip.family === 4) return undefined
  const head = ip.bytes.slice(0, 12)
  const zeros = (n: number) => head.slice(0, n).every((b) => b === 0)
  const mapped = zeros(10) && head[10] === 0xff && head[11] === 0xff
  const compatible = zeros(12) && ip.bytes.slice(12, 15).some((b) => b !== 0)
  const nat64 = head.join('.') === '0.100.255.155.0.0.0.0.0.0.0.0'
  return mapped || compatible || nat64 ? { family: 4, bytes: ip.bytes.slice(12) } : undefined
}

/** Whether `ip` lies in `network/prefix` (same family only). */
export const inNetwork = (ip: IpAddress, network: IpAddress, prefix: number): boolean => {
  if (ip.family !== network.family) return false
  for (let bit = 0; bit < prefix; bit++) {
    const mask = 0x80 >> (bit % 8)
    const byte = Math.floor(bit / 8)
    if (((ip.bytes[byte] ?? 0) & mask) !== ((network.bytes[byte] ?? 0) & mask)) return false
  }
  return true
}

const DNS_SUFFIX = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/

const parseRule = (entry: string): AllowRule | undefined => {
  const [address = '', prefixText, extra] = entry.split('/')
  const ip = parseIp(address)
  if (ip !== undefined && extra === undefined) {
    const max = ip.family === 4 ? 32 : 128
    const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN
    return prefix >= 0 && prefix <= max ? { kind: 'cidr', text: entry, network: ip, prefix } : undefined
  }
  const suffix = entry.toLowerCase().replace(/^\./, '')
  // a suffix that is all digits and dots would read like an IP; refuse it rather than guess
  return prefixText === undefined && DNS_SUFFIX.test(suffix) && !/^[\d.]+$/.test(suffix) ? { kind: 'dns-suffix', text: entry, suffix } : undefined
}

const parseAllowList = (s: string): readonly AllowRule[] | undefined => {
  const entries = s
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '')
  const rules = entries.map(parseRule).filter((r): r is AllowRule => r !== undefined)
  return entries.length > 0 && rules.length === entries.length ? rules : undefined
}

/** `PROMETHEUS_TARGET_ALLOW` → rules; the reason names what was expected. */
export const TargetAllowList = new t.Type<readonly AllowRule[], string, unknown>(
  'comma-separated CIDRs (10.0.0.0/8, fd00::/8), IPs or DNS suffixes (.example.org)',
  (u): u is readonly AllowRule[] => Array.isArray(u),
  (u, c) => {
    const rules = typeof u === 'string' ? parseAllowList(u) : undefined
    return rules === undefined ? t.failure(u, c) : t.success(rules)
  },
  (rules) => rules.map((r) => r.text).join(','),
)
