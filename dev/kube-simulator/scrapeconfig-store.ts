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
  /** sorted by name, as etcd's key order returns them */
  list(namespace: string): StoredScrapeConfig[]
  /** creates or replaces; returns what is stored and whether anything changed */
  write(namespace: string, name: string, object: JsonObject, managers: readonly Manager[]): { stored: StoredScrapeConfig; changed: boolean }
  delete(namespace: string, name: string): StoredScrapeConfig | undefined
  /** the current revision, for a list's metadata.resourceVersion */
  revision(): string
}

const keyOf = (namespace: string, name: string): string => `${namespace}/${name}`
const metadataOf = (o: JsonObject): JsonObject => (typeof o['metadata'] === 'object' && o['metadata'] !== null && !Array.isArray(o['metadata']) ? o['metadata'] : {})
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

export const createScrapeConfigStore = (now: () => Date = () => new Date()): ScrapeConfigStore => {
  const objects = new Map<string, StoredScrapeConfig>()
  let revision = 0
  return {
    get: (namespace, name) => objects.get(keyOf(namespace, name)),
    list: (namespace) =>
      [...objects.entries()].filter(([k]) => k.startsWith(`${namespace}/`)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v),
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
            creationTimestamp: before['creationTimestamp'] ?? now().toISOString().replace(/\.\d{3}Z$/, 'Z'),
          },
        },
        managers: [...managers],
      }
      objects.set(keyOf(namespace, name), stored)
      return { stored, changed: true }
    },
    delete: (namespace, name) => {
      const current = objects.get(keyOf(namespace, name))
      objects.delete(keyOf(namespace, name))
      return current
    },
    revision: () => String(revision),
  }
}
