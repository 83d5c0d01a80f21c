/**
 * PATCH bodies the apiserver accepts for a Secret, applied to the Secret's JSON form.
 *
 * JSON patch (RFC 6902) errors follow evanphx/json-patch, which the apiserver uses: a malformed
 * patch document is 400, a patch that does not apply (failed `test`, missing path) is 422.
 * Strategic merge patch degenerates to a merge patch (RFC 7386) for a Secret: it has no lists
 * with merge keys, and `data` is a plain map.
 */
import { isRecord, type Result } from './secret-body.js'
import { badRequest, patchNotApplicable } from './status.js'

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

export const JSON_PATCH = 'application/json-patch+json'
export const MERGE_PATCH = 'application/merge-patch+json'
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json'
export const PATCH_TYPES: readonly string[] = [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH]

const clone = (value: Json): Json => structuredClone(value)

const deepEqual = (a: Json, b: Json): boolean => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))
const canonical = (v: Json): Json =>
  Array.isArray(v)
    ? v.map(canonical)
    : v !== null && typeof v === 'object'
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, canonical(v[k] ?? null)]),
        )
      : v

const parsePointer = (pointer: string): string[] | undefined =>
  pointer === ''
    ? []
    : pointer.startsWith('/')
      ? pointer
          .slice(1)
          .split('/')
          .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
      : undefined

type Container = Json[] | { [key: string]: Json }

/** The parent container of `pointer` and the last token, or an error message. */
const locate = (doc: Json, tokens: readonly string[]): { parent: Container; token: string } | undefined => {
  let node: Json = doc
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(node)) node = node[Number(token)] ?? null
    else if (node !== null && typeof node === 'object' && token in node) node = node[token] ?? null
    else return undefined
    if (node === null || typeof node !== 'object') return undefined
  }
  const token = tokens[tokens.length - 1]
  return token === undefined || node === null || typeof node !== 'object' ? undefined : { parent: node, token }
}

const read = (parent: Container, token: string): Json | undefined =>
  Array.isArray(parent) ? parent[Number(token)] : Object.hasOwn(parent, token) ? parent[token] : undefined

const write = (parent: Container, token: string, value: Json, insert: boolean): boolean => {
  if (!Array.isArray(parent)) {
    parent[token] = value
    return true
  }
  const index = token === '-' ? parent.length : Number(token)
  if (!Number.isInteger(index) || index < 0 || index > parent.length - (insert ? 0 : 1)) return false
  parent.splice(index, insert ? 0 : 1, value)
  return true
}

const remove = (parent: Container, token: string): boolean => {
  if (read(parent, token) === undefined) return false
  if (Array.isArray(parent)) parent.splice(Number(token), 1)
  else delete parent[token]
  return true
}

/** Applies an RFC 6902 patch; `doc` is not modified. */
export const applyJsonPatch = (doc: Json, patch: unknown): Result<Json> => {
  if (!Array.isArray(patch)) return { ok: false, status: badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch') }
  let result = clone(doc)
  for (const op of patch as unknown[]) {
    if (!isRecord(op) || typeof op.op !== 'string' || typeof op.path !== 'string') {
      return { ok: false, status: badRequest('invalid JSON patch operation: op and path are required') }
    }
    const tokens = parsePointer(op.path)
    if (tokens === undefined) return { ok: false, status: badRequest(`JSON pointer must be empty or start with a "/": ${op.path}`) }
    const needsValue = op.op === 'add' || op.op === 'replace' || op.op === 'test'
    if (needsValue && !('value' in op)) return { ok: false, status: badRequest(`${op.op} operation has no value`) }
    const value = (op.value ?? null) as Json
    const fail = (what: string) => ({ ok: false as const, status: patchNotApplicable(what) })
    if (tokens.length === 0) {
      if (op.op === 'test') {
        if (!deepEqual(result, value)) return fail(`testing value ${op.path} failed: test failed`)
        continue
      }
      if (op.op === 'add' || op.op === 'replace') {
        result = clone(value)
        continue
      }
      return fail(`${op.op} operation does not apply: doc is missing path: "${op.path}": missing value`)
    }
    const at = locate(result, tokens)
    switch (op.op) {
      case 'test': {
        const current = at === undefined ? undefined : read(at.parent, at.token)
        if (current === undefined || !deepEqual(current, value)) return fail(`testing value ${op.path} failed: test failed`)
        break
      }
      case 'add':
        if (at === undefined || !write(at.parent, at.token, clone(value), true)) {
          return fail(`add operation does not apply: doc is missing path: "${op.path}": missing value`)
        }
        break
      case 'replace':
        if (at === undefined || read(at.parent, at.token) === undefined || !write(at.parent, at.token, clone(value), false)) {
          return fail(`replace operation does not apply: doc is missing key: ${op.path}: missing value`)
        }
        break
      case 'remove':
        if (at === undefined || !remove(at.parent, at.token)) {
          return fail(`remove operation does not apply: doc is missing path: "${op.path}": missing value`)
        }
        break
      default:
        return { ok: false, status: badRequest(`Unexpected kind: ${op.op}`) }
    }
  }
  return { ok: true, value: result }
}

/** RFC 7386: objects merge recursively, `null` deletes, anything else replaces. */
export const applyMergePatch = (target: Json, patch: Json): Json => {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return clone(patch)
  const out: { [key: string]: Json } = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key]
    else out[key] = applyMergePatch(out[key] ?? null, value)
  }
  return out
}
