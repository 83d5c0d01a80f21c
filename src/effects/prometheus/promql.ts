/**
 * Quoting for the two query languages we generate text in: PromQL (dashboards and the federation
 * `match[]` selector) and LogQL (log dashboards).
 *
 * Namespaces arrive in Kafka messages. The codecs already restrict them to `[A-Za-z0-9_.-]`, but
 * this module does not rely on that: every value is first escaped as an RE2 regex (so `a.b` matches
 * only the namespace `a.b`, not `aXb`) and then quoted as a string literal (so no character can end
 * the literal early and change the meaning of the query). The two layers are kept apart on purpose:
 * `namespaceRegex` returns the regex itself, `namespaceSelector` is the only place that puts it into
 * a literal, so nobody escapes twice or forgets once.
 */

const RE2_META = /[\\.+*?()|[\]{}^$]/g

/** Escapes every RE2 metacharacter so the result matches `s` literally. */
export const escapeRegex = (s: string): string => s.replace(RE2_META, '\\$&')

/**
 * A regex that never matches, not even the empty string. Used for an empty namespace list:
 * `namespace=~""` would match every series WITHOUT a namespace label, i.e. the opposite of "none".
 */
const MATCH_NOTHING = '[^\\s\\S]'

/**
 * The RE2 regex (not yet quoted) that matches exactly the given namespaces, e.g.
 * `['NS_1', 'a.b']` → `NS_1|a\.b`. Prometheus and Loki anchor `=~` at both ends, so
 * alternation needs no extra group. Empty list → a regex that matches nothing.
 */
export const namespaceRegex = (namespaces: readonly string[]): string => (namespaces.length === 0 ? MATCH_NOTHING : namespaces.map(escapeRegex).join('|'))

const hex = (n: number, width: number): string => n.toString(16).padStart(width, '0')

/** Escapes for characters that are printable ASCII but still must not appear raw. */
const SPECIAL: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  // Grafana interpolates `$var`, `${var}` and `[[var]]` in query text before sending it (even
  // after a regex backslash), so these two never appear raw; hex escapes are invisible to it.
  $: '\\x24',
  '[': '\\x5b',
}

/**
 * A double-quoted PromQL string literal holding exactly `s`.
 *
 * PromQL and LogQL unquote with Go escape rules. The output is printable ASCII only: anything
 * else becomes `\uHHHH` / `\UHHHHHHHH`, because Prometheus' lexer rejects a raw U+FFFD as an
 * "invalid UTF-8 rune" and control characters have no business in a query line. Lone UTF-16
 * surrogates cannot exist in a Go string and become U+FFFD.
 */
export const promqlString = (s: string): string => {
  let out = '"'
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0xfffd
    const special = SPECIAL[ch]
    if (special !== undefined) out += special
    else if (cp >= 0x20 && cp < 0x7f) out += ch
    else if (cp >= 0xd800 && cp < 0xe000) out += '\\ufffd'
    else if (cp < 0x10000) out += `\\u${hex(cp, 4)}`
    else out += `\\U${hex(cp, 8)}`
  }
  return out + '"'
}

/** LogQL string literals follow the same Go unquoting rules as PromQL. */
export const logqlString = promqlString

/**
 * `namespace=~"<regex>"`: the label matcher for the given namespaces, ready to be placed inside
 * `{...}` of a PromQL or LogQL selector. E.g. `['a.b']` → `namespace=~"a\\.b"` (two backslashes
 * in the query text: the regex `a\.b` written as a string literal).
 */
export const namespaceSelector = (namespaces: readonly string[]): string => `namespace=~${promqlString(namespaceRegex(namespaces))}`

/**
 * The label that carries a service's identity on every series its federation job brings in. The
 * job sets it in `metric_relabel_configs`, which Prometheus applies after `honor_labels`, so a
 * series the managed cluster already labelled `hypo_service_id` cannot keep its own value: two
 * tenants whose clusters share namespace names still never share a series.
 */
export const TENANT_LABEL = 'hypo_service_id'

/** `hypo_service_id="<serviceId>"`: the matcher every metrics query of the service carries. */
export const tenantMatcher = (serviceId: string): string => `${TENANT_LABEL}=${promqlString(serviceId)}`
