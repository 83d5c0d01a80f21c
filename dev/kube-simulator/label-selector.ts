/**
 * The `labelSelector` query parameter as the apiserver parses it (k8s.io/apimachinery `labels`):
 * comma-separated requirements, each `k`, `!k`, `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
 * `k notin (a,b)`, `k>n`, `k<n`. `!=` and `notin` also match objects without the label, as in
 * Kubernetes. A selector that does not parse is a 400 BadRequest, never "match everything".
 */
export type LabelSelector = (labels: Readonly<Record<string, string>>) => boolean

const KEY = String.raw`(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?`
const VALUE = String.raw`(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?`
const EXISTS = new RegExp(`^(${KEY})$`)
const NOT_EXISTS = new RegExp(`^!\\s*(${KEY})$`)
const EQUALITY = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`)
const SET = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^()]*)\\)$`)
const NUMERIC = new RegExp(`^(${KEY})\\s*(<|>)\\s*(-?\\d+)$`)
const VALUE_ONLY = new RegExp(`^${VALUE}$`)

/** Splits at commas outside parentheses. */
const requirements = (text: string): string[] => {
  const parts: string[] = []
  let depth = 0
  let current = ''
  for (const ch of text) {
    if (ch === '(') depth += 1
    if (ch === ')') depth -= 1
    if (ch === ',' && depth === 0) {
      parts.push(current.trim())
      current = ''
    } else current += ch
  }
  parts.push(current.trim())
  return parts
}

const requirement = (text: string): LabelSelector | undefined => {
  let m = NOT_EXISTS.exec(text)
  if (m !== null) {
    const key = m[1] ?? ''
    return (labels) => !Object.hasOwn(labels, key)
  }
  m = EXISTS.exec(text)
  if (m !== null) {
    const key = m[1] ?? ''
    return (labels) => Object.hasOwn(labels, key)
  }
  m = EQUALITY.exec(text)
  if (m !== null) {
    const [key, op, value] = [m[1] ?? '', m[2], m[3] ?? '']
    return op === '!=' ? (labels) => labels[key] !== value : (labels) => labels[key] === value
  }
  m = SET.exec(text)
  if (m !== null) {
    const [key, op] = [m[1] ?? '', m[2]]
    const values = (m[3] ?? '').split(',').map((v) => v.trim())
    if (!values.every((v) => VALUE_ONLY.test(v))) return undefined
    const set = new Set(values)
    return op === 'in' ? (labels) => labels[key] !== undefined && set.has(labels[key]) : (labels) => labels[key] === undefined || !set.has(labels[key])
  }
  m = NUMERIC.exec(text)
  if (m !== null) {
    const [key, op, bound] = [m[1] ?? '', m[2], Number(m[3])]
    return (labels) => {
      const value = labels[key]
      if (value === undefined || !/^-?\d+$/.test(value)) return false
      return op === '>' ? Number(value) > bound : Number(value) < bound
    }
  }
  return undefined
}

/** The selector, or the text of the requirement that did not parse. */
export const parseLabelSelector = (text: string): { ok: true; selector: LabelSelector } | { ok: false; bad: string } => {
  if (text.trim() === '') return { ok: true, selector: () => true }
  const parsed: LabelSelector[] = []
  for (const part of requirements(text)) {
    const one = requirement(part)
    if (one === undefined) return { ok: false, bad: part }
    parsed.push(one)
  }
  return { ok: true, selector: (labels) => parsed.every((r) => r(labels)) }
}
