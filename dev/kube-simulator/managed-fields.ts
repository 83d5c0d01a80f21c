/**
 * Field ownership as server-side apply keeps it (structured-merge-diff), reduced to what a
 * ScrapeConfig needs: every leaf of the object is a field; objects (labels, annotations, spec,
 * params) are granular maps; lists are atomic (the CRD declares no list-type, so its lists are
 * owned whole). Each manager (name + operation) owns a set of fields.
 *
 * - apply: a field another manager owns with a different value is a conflict (409) unless
 *   `force`, which takes it over; the same value is shared. Fields this manager applied before
 *   and omits now are removed when nobody else owns them. The manager's Apply set becomes exactly
 *   the applied fields.
 * - update (create, merge patch, replace): always succeeds; the updater takes the fields it
 *   changed, everybody else loses them.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type JsonObject = { [key: string]: Json }

export interface Manager {
  readonly manager: string
  readonly operation: 'Apply' | 'Update'
  readonly time: string
  /** JSON-encoded paths, e.g. `["spec","jobName"]` */
  readonly fields: ReadonlySet<string>
}

const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)
const IGNORED_METADATA = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields'])

/** Leaf path (JSON-encoded) → value. apiVersion, kind and server-set metadata are nobody's. */
export const leaves = (object: JsonObject): Map<string, Json> => {
  const out = new Map<string, Json>()
  const walk = (value: Json, path: string[]): void => {
    if (isObject(value) && Object.keys(value).length > 0) {
      for (const [k, v] of Object.entries(value)) walk(v, [...path, k])
    } else out.set(JSON.stringify(path), value)
  }
  for (const [key, value] of Object.entries(object)) {
    if (key === 'apiVersion' || key === 'kind') continue
    if (key === 'metadata' && isObject(value)) {
      for (const [k, v] of Object.entries(value)) if (!IGNORED_METADATA.has(k)) walk(v, ['metadata', k])
    } else walk(value, [key])
  }
  return out
}

const same = (a: Json | undefined, b: Json | undefined): boolean => JSON.stringify(a) === JSON.stringify(b)
/** `.spec.jobName`, as SMD prints a path. */
export const printPath = (key: string): string => (JSON.parse(key) as string[]).map((p) => `.${p}`).join('')

/** How a manager is named in a conflict (printManager): Update managers carry apiVersion and time. */
export const printManager = (m: Manager, apiVersion: string): string =>
  m.operation === 'Update' ? `"${m.manager}" using ${apiVersion} at ${m.time}` : `"${m.manager}"`

const setPath = (object: JsonObject, path: readonly string[], value: Json): void => {
  let node = object
  path.slice(0, -1).forEach((p) => {
    const next = node[p]
    if (!isObject(next)) node[p] = {}
    node = node[p] as JsonObject
  })
  const last = path[path.length - 1]
  if (last !== undefined) node[last] = structuredClone(value)
}

const deletePath = (object: JsonObject, path: readonly string[]): void => {
  const [head, ...rest] = path
  if (head === undefined) return
  if (rest.length === 0) {
    delete object[head]
    return
  }
  const child = object[head]
  if (!isObject(child)) return
  deletePath(child, rest)
  if (Object.keys(child).length === 0) delete object[head]
}

export interface ApplyOutcome {
  readonly object: JsonObject
  readonly managers: Manager[]
  readonly conflicts: ReadonlyArray<{ readonly manager: Manager; readonly path: string }>
}

export const applyFields = (
  current: JsonObject,
  managers: readonly Manager[],
  applied: JsonObject,
  manager: string,
  force: boolean,
  time: string,
): ApplyOutcome => {
  const now = leaves(current)
  const wanted = leaves(applied)
  const isMe = (m: Manager): boolean => m.manager === manager && m.operation === 'Apply'
  const conflicts = managers
    .filter((m) => !isMe(m))
    .flatMap((m) => [...wanted].filter(([k, v]) => m.fields.has(k) && !same(now.get(k), v)).map(([k]) => ({ manager: m, path: k })))
  if (conflicts.length > 0 && !force) return { object: current, managers: [...managers], conflicts }
  const taken = new Set(conflicts.map((c) => c.path))
  const others = managers.filter((m) => !isMe(m)).map((m) => ({ ...m, fields: new Set([...m.fields].filter((f) => !taken.has(f))) }))
  const object = structuredClone(current)
  const previous = managers.find(isMe)?.fields ?? new Set<string>()
  for (const field of previous) {
    if (!wanted.has(field) && !others.some((m) => m.fields.has(field))) deletePath(object, JSON.parse(field) as string[])
  }
  for (const [k, v] of wanted) setPath(object, JSON.parse(k) as string[], v)
  const mine: Manager = { manager, operation: 'Apply', time, fields: new Set(wanted.keys()) }
  return { object, managers: [...others, mine].filter((m) => m.fields.size > 0), conflicts: [] }
}

export const updateFields = (before: JsonObject | undefined, after: JsonObject, managers: readonly Manager[], manager: string, time: string): Manager[] => {
  const old = before === undefined ? new Map<string, Json>() : leaves(before)
  const next = leaves(after)
  const changed = new Set([...next].filter(([k, v]) => !same(old.get(k), v)).map(([k]) => k))
  const isMe = (m: Manager): boolean => m.manager === manager && m.operation === 'Update'
  const others = managers.filter((m) => !isMe(m)).map((m) => ({ ...m, fields: new Set([...m.fields].filter((f) => next.has(f) && !changed.has(f))) }))
  const kept = [...(managers.find(isMe)?.fields ?? [])].filter((f) => next.has(f))
  const mine: Manager = { manager, operation: 'Update', time, fields: new Set([...kept, ...changed]) }
  return [...others, mine].filter((m) => m.fields.size > 0)
}

/** metadata.managedFields as the apiserver renders it (fieldsV1: `f:`-prefixed nested keys). */
export const renderManagedFields = (managers: readonly Manager[], apiVersion: string): Json[] =>
  managers.map((m) => {
    const fieldsV1: JsonObject = {}
    for (const key of m.fields)
      setPath(
        fieldsV1,
        (JSON.parse(key) as string[]).map((p) => `f:${p}`),
        {},
      )
    return { manager: m.manager, operation: m.operation, apiVersion, time: m.time, fieldsType: 'FieldsV1', fieldsV1 }
  })
