/**
 * `kustomize build` for the subset of kustomize that deploy/ uses, so the manifests can be checked
 * without a cluster or the kustomize binary (neither is on the machines, and npm has no maintained
 * pure-JS kustomize). Supported, with kustomize's semantics:
 *
 * - `resources`: YAML files and directories holding a kustomization.yaml (built first, recursively);
 *   two objects with the same group/kind/namespace/name are an error, as in kustomize;
 * - `patches` (from `path` or inline `patch`), applied in order after the resources:
 *   - a YAML list is a JSON 6902 patch (add, remove, replace, test) and needs a `target`;
 *   - anything else is a strategic merge patch, applied to its `target` or else to the object
 *     with the patch's own apiVersion/kind/name/namespace; maps merge, `null` deletes a key;
 * - `images`: `newName`, `newTag`, `digest` on the containers and initContainers of pods and pod
 *   templates, applied last.
 *
 * Stricter than kustomize where a silent difference could hide a mistake: any other kustomization
 * field, a list or a `$patch`-style directive inside a strategic merge patch (their merge depends
 * on the schema's patchMergeKey), and a patch that selects no object are errors. Output order is
 * the resources' order (kustomize sorts by kind); the tests never depend on it.
 */
import { load, loadAll } from './yaml.js'
import { readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { isDeepStrictEqual } from 'node:util'

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

export type KubeObject = JsonObject & { apiVersion: string; kind: string; metadata: JsonObject & { name: string; namespace?: string } }

export interface Selector {
  readonly group?: string
  readonly version?: string
  readonly kind?: string
  readonly name?: string
  readonly namespace?: string
}
interface PatchEntry {
  readonly path?: string
  readonly patch?: string
  readonly target?: Selector
}
interface ImageEntry {
  readonly name: string
  readonly newName?: string
  readonly newTag?: string
  readonly digest?: string
}
interface Kustomization {
  readonly resources?: string[]
  readonly patches?: PatchEntry[]
  readonly images?: ImageEntry[]
}

const FIELDS = new Set(['apiVersion', 'kind', 'resources', 'patches', 'images'])

const isObject = (u: unknown): u is JsonObject => typeof u === 'object' && u !== null && !Array.isArray(u)

export const isKubeObject = (u: unknown): u is KubeObject =>
  isObject(u) && typeof u['apiVersion'] === 'string' && typeof u['kind'] === 'string' && isObject(u['metadata']) && typeof u['metadata']['name'] === 'string'

const clone = <T extends Json>(value: T): T => structuredClone(value)

const groupVersion = (apiVersion: string): { group: string; version: string } => {
  const slash = apiVersion.indexOf('/')
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) }
}

const idOf = (o: KubeObject): string => `${groupVersion(o.apiVersion).group}/${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`

/** A selector field that is absent matches anything, as in kustomize. */
const selects = (s: Selector, o: KubeObject): boolean => {
  const { group, version } = groupVersion(o.apiVersion)
  return (
    (s.group === undefined || s.group === group) &&
    (s.version === undefined || s.version === version) &&
    (s.kind === undefined || s.kind === o.kind) &&
    (s.name === undefined || s.name === o.metadata.name) &&
    (s.namespace === undefined || s.namespace === (o.metadata.namespace ?? ''))
  )
}

// ---- strategic merge (maps only) ----

const strategicMerge = (base: JsonObject, patch: JsonObject, at: string): JsonObject => {
  const out: JsonObject = { ...base }
  for (const [key, value] of Object.entries(patch)) {
    const path = `${at}/${key}`
    if (key.startsWith('$')) throw new Error(`strategic merge patch: directive ${path} is not supported here`)
    if (Array.isArray(value)) throw new Error(`strategic merge patch: list at ${path} is not supported here (use a JSON 6902 patch)`)
    if (value === null) delete out[key]
    else if (isObject(value)) {
      const current = out[key]
      out[key] = strategicMerge(isObject(current) ? current : {}, value, path)
    } else out[key] = value
  }
  return out
}

// ---- JSON 6902 ----

interface Operation {
  readonly op: string
  readonly path: string
  readonly value?: Json
}

const pointer = (path: string): string[] => {
  if (!path.startsWith('/')) throw new Error(`JSON patch: path ${JSON.stringify(path)} must start with /`)
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
}

const parentOf = (doc: Json, tokens: readonly string[], path: string): Json => {
  let node = doc
  for (const token of tokens) {
    const next = Array.isArray(node) ? node[Number(token)] : isObject(node) ? node[token] : undefined
    if (next === undefined) throw new Error(`JSON patch: ${path}: ${token} does not exist`)
    node = next
  }
  return node
}

const arrayIndex = (token: string, length: number, path: string, allowEnd: boolean): number => {
  const index = token === '-' && allowEnd ? length : /^(0|[1-9]\d*)$/.test(token) ? Number(token) : NaN
  if (!(index >= 0 && index <= (allowEnd ? length : length - 1))) throw new Error(`JSON patch: ${path}: bad array index ${token}`)
  return index
}

const applyOperation = (doc: JsonObject, operation: Operation): void => {
  const tokens = pointer(operation.path)
  const last = tokens.at(-1)
  if (last === undefined || tokens.length === 0) throw new Error('JSON patch: the whole document cannot be replaced here')
  const parent = parentOf(doc, tokens.slice(0, -1), operation.path)
  const exists = Array.isArray(parent) ? /^\d+$/.test(last) && Number(last) < parent.length : isObject(parent) && last in parent
  const needsValue = (): Json => {
    if (operation.value === undefined) throw new Error(`JSON patch: ${operation.op} ${operation.path} has no value`)
    return clone(operation.value)
  }
  switch (operation.op) {
    case 'add':
      if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, operation.path, true), 0, needsValue())
      else if (isObject(parent)) parent[last] = needsValue()
      else throw new Error(`JSON patch: ${operation.path}: parent is not a container`)
      return
    case 'replace':
    case 'remove':
      if (!exists) throw new Error(`JSON patch: ${operation.op} ${operation.path}: nothing there`)
      if (Array.isArray(parent)) {
        const index = arrayIndex(last, parent.length, operation.path, false)
        if (operation.op === 'replace') parent[index] = needsValue()
        else parent.splice(index, 1)
      } else if (isObject(parent)) {
        if (operation.op === 'replace') parent[last] = needsValue()
        else delete parent[last]
      }
      return
    case 'test': {
      const actual = Array.isArray(parent) ? parent[Number(last)] : isObject(parent) ? parent[last] : undefined
      if (!isDeepStrictEqual(actual, operation.value))
        throw new Error(`JSON patch: test ${operation.path} failed: ${JSON.stringify(actual)} is not ${JSON.stringify(operation.value)}`)
      return
    }
    default:
      throw new Error(`JSON patch: op ${operation.op} is not supported here`)
  }
}

const isOperation = (u: unknown): u is Operation => isObject(u) && typeof u['op'] === 'string' && typeof u['path'] === 'string'

// ---- images ----

/** `name[:tag][@digest]` → name; a `:` before the last `/` belongs to a registry port. */
const imageName = (image: string): { name: string; rest: string } => {
  const at = image.indexOf('@')
  const withoutDigest = at < 0 ? image : image.slice(0, at)
  const colon = withoutDigest.lastIndexOf(':')
  const cut = colon > withoutDigest.lastIndexOf('/') ? colon : at < 0 ? image.length : at
  return { name: image.slice(0, cut), rest: image.slice(cut) }
}

const setImages = (o: KubeObject, images: readonly ImageEntry[]): void => {
  const spec = o['spec']
  const podSpecs = [isObject(spec) ? spec : undefined, isObject(spec) && isObject(spec['template']) ? spec['template']['spec'] : undefined]
  for (const podSpec of podSpecs) {
    if (!isObject(podSpec)) continue
    for (const field of ['containers', 'initContainers']) {
      const containers = podSpec[field]
      if (!Array.isArray(containers)) continue
      for (const container of containers) {
        if (!isObject(container) || typeof container['image'] !== 'string') continue
        const { name, rest } = imageName(container['image'])
        const entry = images.find((i) => i.name === name)
        if (entry === undefined) continue
        const suffix = entry.digest !== undefined ? `@${entry.digest}` : entry.newTag !== undefined ? `:${entry.newTag}` : rest
        container['image'] = `${entry.newName ?? name}${suffix}`
      }
    }
  }
}

// ---- build ----

const stringFields = (o: JsonObject, keys: readonly string[]): boolean => keys.every((key) => o[key] === undefined || typeof o[key] === 'string')
const onlyKeys = (o: JsonObject, keys: readonly string[]): boolean => Object.keys(o).every((key) => keys.includes(key))
const SELECTOR_KEYS = ['group', 'version', 'kind', 'name', 'namespace']
const isSelector = (u: Json | undefined): boolean => u === undefined || (isObject(u) && onlyKeys(u, SELECTOR_KEYS) && stringFields(u, SELECTOR_KEYS))
const isPatchEntry = (u: Json): u is PatchEntry & JsonObject =>
  isObject(u) && onlyKeys(u, ['path', 'patch', 'target']) && stringFields(u, ['path', 'patch']) && isSelector(u['target'])
const isImageEntry = (u: Json): u is ImageEntry & JsonObject =>
  isObject(u) && typeof u['name'] === 'string' && onlyKeys(u, ['name', 'newName', 'newTag', 'digest']) && stringFields(u, ['newName', 'newTag', 'digest'])

const readKustomization = async (dir: string): Promise<Kustomization> => {
  const k = load(await readFile(join(dir, 'kustomization.yaml'), 'utf8'))
  if (!isObject(k) || k['kind'] !== 'Kustomization') throw new Error(`${dir}/kustomization.yaml: not a Kustomization`)
  for (const key of Object.keys(k)) if (!FIELDS.has(key)) throw new Error(`${dir}/kustomization.yaml: ${key} is not supported by this builder`)
  const list = <T>(key: string, valid: (u: Json) => u is T & Json): T[] => {
    const value = k[key] ?? []
    if (!Array.isArray(value)) throw new Error(`${dir}/kustomization.yaml: ${key} is not a list`)
    return value.map((item) => {
      if (!valid(item)) throw new Error(`${dir}/kustomization.yaml: ${key} entry ${JSON.stringify(item)} is malformed or not supported`)
      return item
    })
  }
  return {
    resources: list('resources', (u): u is string => typeof u === 'string'),
    patches: list('patches', isPatchEntry),
    images: list('images', isImageEntry),
  }
}

const readResource = async (path: string): Promise<KubeObject[]> => {
  if ((await stat(path)).isDirectory()) return kustomizeBuild(path)
  const out: KubeObject[] = []
  for (const doc of loadAll(await readFile(path, 'utf8'))) {
    if (doc === null || doc === undefined) continue
    if (!isKubeObject(doc)) throw new Error(`${path}: not a Kubernetes object`)
    out.push(doc)
  }
  return out
}

const applyPatch = async (dir: string, entry: PatchEntry, objects: KubeObject[]): Promise<KubeObject[]> => {
  const where = entry.path ?? 'inline patch'
  const text = entry.patch ?? (entry.path === undefined ? undefined : await readFile(resolve(dir, entry.path), 'utf8'))
  if (text === undefined) throw new Error(`${dir}: a patch needs path or patch`)
  const patch = load(text)
  if (Array.isArray(patch)) {
    if (entry.target === undefined) throw new Error(`${where}: a JSON 6902 patch needs a target`)
    const operations = patch.map((op) => {
      if (!isOperation(op)) throw new Error(`${where}: not a JSON patch operation: ${JSON.stringify(op)}`)
      return op
    })
    const target = entry.target
    if (!objects.some((o) => selects(target, o))) throw new Error(`${where}: the target selects no object`)
    return objects.map((o) => {
      if (!selects(target, o)) return o
      const copy = clone(o)
      for (const operation of operations) applyOperation(copy, operation)
      if (!isKubeObject(copy)) throw new Error(`${where}: the patched ${idOf(o)} is no longer a Kubernetes object`)
      return copy
    })
  }
  if (!isKubeObject(patch)) throw new Error(`${where}: a strategic merge patch names apiVersion, kind and metadata.name`)
  const { group, version } = groupVersion(patch.apiVersion)
  const target: Selector = entry.target ?? {
    group,
    version,
    kind: patch.kind,
    name: patch.metadata.name,
    ...(patch.metadata.namespace === undefined ? {} : { namespace: patch.metadata.namespace }),
  }
  if (!objects.some((o) => selects(target, o))) throw new Error(`${where}: the patch matches no object`)
  return objects.map((o) => {
    if (!selects(target, o)) return o
    // with a target, the patch's own identity does not rename the object (kustomize keeps it)
    const identity = {
      apiVersion: o.apiVersion,
      kind: o.kind,
      metadata: { ...patch.metadata, name: o.metadata.name, ...(o.metadata.namespace === undefined ? {} : { namespace: o.metadata.namespace }) },
    }
    const merged = strategicMerge(o, { ...patch, ...identity }, '')
    if (!isKubeObject(merged)) throw new Error(`${where}: the patched ${idOf(o)} is no longer a Kubernetes object`)
    return merged
  })
}

/** The objects `kustomize build dir` prints (see the header for the subset). */
export const kustomizeBuild = async (dir: string): Promise<KubeObject[]> => {
  const k = await readKustomization(dir)
  let objects: KubeObject[] = []
  for (const resource of k.resources ?? []) objects.push(...(await readResource(resolve(dir, resource))))
  const seen = new Set<string>()
  for (const o of objects) {
    if (seen.has(idOf(o))) throw new Error(`${dir}: ${idOf(o)} is defined twice`)
    seen.add(idOf(o))
  }
  for (const entry of k.patches ?? []) objects = await applyPatch(dir, entry, objects)
  if (k.images !== undefined && k.images.length > 0) for (const o of objects) setImages(o, k.images)
  return objects
}
