/**
 * What a configuration error may show of a rejected value. Start-up errors end up in pod logs,
 * events and CI output, which many more people read than may know a credential, so:
 * - a variable that IS a credential is never shown at all;
 * - any other value is shown with everything up to its last `@` masked (`redis://:pw@h`,
 *   `http://admin:pw@grafana`, a broker written `user:pw@host:9092`), whether or not it parses;
 * - the rest is bounded, like every other echo of input.
 */

/** Variables whose whole value is a credential. */
export const SECRET_VARIABLES: readonly string[] = ['GRAFANA_TOKEN', 'GRAFANA_PASSWORD', 'KAFKA_SASL_PASSWORD']

/** Names that look like a credential are treated as one too, so a variable added later is safe by default. */
const SECRET_NAME = /(?:PASSWORD|TOKEN|PASSPHRASE|CREDENTIALS?|API_?KEY|PRIVATE_KEY)$/

export const isSecretVariable = (name: string): boolean => SECRET_VARIABLES.includes(name) || SECRET_NAME.test(name)

const MASK = '***'
const SHOWN_MAX = 80

/**
 * Masks everything from after the scheme (or the start) to the last `@`. Deliberately textual and
 * greedy: a value that does not parse as a URL is exactly the one being reported, and its password
 * may itself hold `@`, `/` or `,`; masking a bit of a host is a small price.
 */
export const maskUserinfo = (value: string): string => {
  const at = value.lastIndexOf('@')
  if (at < 0) return value
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(value)?.[0] ?? ''
  return `${scheme}${MASK}${value.slice(at)}`
}

/** `got "…"` for a rejected value, or nothing when the value must not be shown. */
export const shownValue = (name: string, value: unknown): string | undefined => {
  if (isSecretVariable(name)) return undefined
  if (typeof value !== 'string') return undefined
  const masked = maskUserinfo(value)
  return JSON.stringify(masked.length > SHOWN_MAX ? `${masked.slice(0, SHOWN_MAX - 1)}…` : masked)
}

/** `expected <what>[, got <value>]`: the one wording of a rejected value, secrets left out. */
export const rejectedValueMessage = (name: string, expected: string, value: unknown): string => {
  const shown = shownValue(name, value)
  return shown === undefined ? `expected ${expected}` : `expected ${expected}, got ${shown}`
}
