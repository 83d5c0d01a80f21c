/**
 * The simulator's etcd for ScrapeConfig objects: by namespace/name, each with its field managers,
 * a resourceVersion from one counter (opaque to clients, increasing so tests can see a write) and
 * a generation that moves only when something outside metadata changes, as for any custom resource.
 * A write that changes nothing (object and ownership) keeps the old resourceVersion.
 */
import { randomUUID } from 'node:crypto'
import { renderManagedFields, type Json, type JsonObject, type Manager } from './managed-fields.js'
import { API_VERSION } from './scrapeconfig-status.js'

export interface StoredScrapeConfig {
  /** without managedFields; metadata holds uid, resourceVersion, generation, creationTimestamp */
  readonly object: JsonObject
  readonly managers: readonly Manager[]
}

export interface ScrapeConfigStore {
  get(namespace: string, name: string): StoredScrapeConfig | undefined
  /** sorted by name, as etcd's key order returns them; only names after `after` when given */
  list(namespace: string, after?: string): Iterable<StoredScrapeConfig>
  /** how many objects the namespace holds after `after` (all when undefined) */
  count(namespace: string, after?: string): number
  /** creates or replaces; returns what is stored and whether anything changed */
  write(namespace: string, name: string, object: JsonObject, managers: readonly Manager[]): { stored: StoredScrapeConfig; changed: boolean }
  delete(namespace: string, name: string): StoredScrapeConfig | undefined
  /** the current revision, for a list's metadata.resourceVersion */
  revision(): string
}

const keyOf = (namespace: string, name: string): string => `${namespace}/${name}`
const metadataOf = (o: JsonObject): JsonObject =>
  typeof o['metadata'] === 'object' && o['metadata'] !== null && !Array.isArray(o['metadata']) ? o['metadata'] : {}
const SERVER_SET = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields']

/** The object without server-set metadata, to compare what a client can change. */
const userPart = (o: JsonObject): string => {
  const metadata = Object.fromEntries(Object.entries(metadataOf(o)).filter(([k]) => !SERVER_SET.includes(k)))
  return JSON.stringify({ ...o, metadata })
}
const bodyPart = (o: JsonObject): string => JSON.stringify(Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'metadata')))
const ownership = (ms: readonly Manager[]): string => JSON.stringify(ms.map((m) => [m.manager, m.operation, [...m.fields].sort()]))

/** The wire form: the stored object with metadata.managedFields rendered in. */
export const render = (stored: StoredScrapeConfig): JsonObject => {
  const metadata = metadataOf(stored.object)
  return { ...stored.object, metadata: { ...metadata, managedFields: renderManagedFields(stored.managers, API_VERSION) } }
}

/** Index of the first name in sorted `names` that is greater than `name` (or >= when `inclusive`). */
const firstAfter = (names: readonly string[], name: string, inclusive = false): number => {
  let lo = 0
  let hi = names.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const probe = names[mid] as string
    if (probe < name || (!inclusive && probe === name)) lo = mid + 1
    else hi = mid
  }
  return lo
}

export const createScrapeConfigStore = (now: () => Date = () => new Date()): ScrapeConfigStore => {
  const objects = new Map<string, StoredScrapeConfig>()
  // names per namespace, kept sorted on every create and delete: a list of 100,000 objects (paged,
  // or a readiness ping with limit=1) must not sort them all on every call
  const sortedNames = new Map<string, string[]>()
  const namesOf = (namespace: string): string[] => sortedNames.get(namespace) ?? []
  let revision = 0
  return {
    get: (namespace, name) => objects.get(keyOf(namespace, name)),
    list: function* (namespace, after) {
      const names = namesOf(namespace)
      for (let i = after === undefined ? 0 : firstAfter(names, after); i < names.length; i += 1) {
        const stored = objects.get(keyOf(namespace, names[i] as string))
        if (stored !== undefined) yield stored
      }
    },
    count: (namespace, after) => {
      const names = namesOf(namespace)
      return names.length - (after === undefined ? 0 : firstAfter(names, after))
    },
    write: (namespace, name, object, managers) => {
      const current = objects.get(keyOf(namespace, name))
      if (current !== undefined && userPart(current.object) === userPart(object) && ownership(current.managers) === ownership(managers)) {
        return { stored: current, changed: false }
      }
      const before = current === undefined ? {} : metadataOf(current.object)
      const generation: Json =
        current === undefined ? 1 : bodyPart(current.object) === bodyPart(object) ? (before['generation'] ?? 1) : Number(before['generation'] ?? 1) + 1
      revision += 1
      const stored: StoredScrapeConfig = {
        object: {
          ...object,
          metadata: {
            ...metadataOf(object),
            name,
            namespace,
            uid: before['uid'] ?? randomUUID(),
            resourceVersion: String(revision),
            generation,
            creationTimestamp:
              before['creationTimestamp'] ??
              now()
                .toISOString()
                .replace(/\.\d{3}Z$/, 'Z'),
          },
        },
        managers: [...managers],
      }
      if (current === undefined) {
        const names = namesOf(namespace)
        names.splice(firstAfter(names, name, true), 0, name)
        sortedNames.set(namespace, names)
      }
      objects.set(keyOf(namespace, name), stored)
      return { stored, changed: true }
    },
    delete: (namespace, name) => {
      const current = objects.get(keyOf(namespace, name))
      if (current !== undefined) {
        const names = namesOf(namespace)
        names.splice(firstAfter(names, name, true), 1)
      }
      objects.delete(keyOf(namespace, name))
      return current
    },
    revision: () => String(revision),
  }
}
