/**
 * The simulator's etcd: Secrets by namespace/name, with a cluster-wide resourceVersion counter.
 *
 * resourceVersion is one global, monotonically increasing number rendered as a string, as etcd's
 * revision is; clients must treat it as opaque, and tests can still tell that a write happened.
 * A write that changes nothing keeps the old resourceVersion (the apiserver skips no-op updates),
 * which is what lets a writer detect "nothing to do" without a spurious conflict for others.
 */
import { randomUUID } from 'node:crypto'
import type { SecretInput } from './secret-body.js'

export interface SecretMetadata {
  readonly name: string
  readonly namespace: string
  readonly uid: string
  readonly resourceVersion: string
  readonly creationTimestamp: string
  readonly labels?: Readonly<Record<string, string>>
  readonly annotations?: Readonly<Record<string, string>>
}

/** A Secret in its wire form, as GET returns it. */
export interface SecretObject {
  readonly kind: 'Secret'
  readonly apiVersion: 'v1'
  readonly metadata: SecretMetadata
  /** base64 values; absent when empty, as the apiserver omits it */
  readonly data?: Readonly<Record<string, string>>
  readonly type: string
}

export interface WriteResult {
  readonly secret: SecretObject
  /** false for a no-op update: same content, resourceVersion unchanged */
  readonly changed: boolean
}

export interface SecretStore {
  get(namespace: string, name: string): SecretObject | undefined
  /** undefined when it already exists */
  create(namespace: string, name: string, input: SecretInput): SecretObject | undefined
  /** undefined when it does not exist; `force` bumps the resourceVersion even for a no-op */
  update(namespace: string, name: string, input: SecretInput, force?: boolean): WriteResult | undefined
  delete(namespace: string, name: string): SecretObject | undefined
}

const keyOf = (namespace: string, name: string): string => `${namespace}/${name}`

const sameMap = (a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean => {
  const ea = Object.entries(a ?? {})
  const eb = b ?? {}
  return ea.length === Object.keys(eb).length && ea.every(([k, v]) => eb[k] === v)
}

const withOptional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  value === undefined ? {} : ({ [key]: value } as Partial<Record<K, V>>)

const isEmpty = (map: Readonly<Record<string, string>> | undefined): boolean => map === undefined || Object.keys(map).length === 0

export const createSecretStore = (now: () => Date = () => new Date()): SecretStore => {
  const secrets = new Map<string, SecretObject>()
  let revision = 0
  const nextRevision = (): string => String(++revision)

  const build = (
    namespace: string,
    name: string,
    input: SecretInput,
    identity: Pick<SecretMetadata, 'uid' | 'creationTimestamp'>,
    resourceVersion: string,
    type: string,
  ): SecretObject => ({
    kind: 'Secret',
    apiVersion: 'v1',
    metadata: {
      name,
      namespace,
      uid: identity.uid,
      resourceVersion,
      creationTimestamp: identity.creationTimestamp,
      ...withOptional('labels', isEmpty(input.labels) ? undefined : input.labels),
      ...withOptional('annotations', isEmpty(input.annotations) ? undefined : input.annotations),
    },
    ...withOptional('data', isEmpty(input.data) ? undefined : { ...input.data }),
    type,
  })

  return {
    get: (namespace, name) => secrets.get(keyOf(namespace, name)),
    create: (namespace, name, input) => {
      if (secrets.has(keyOf(namespace, name))) return undefined
      const identity = {
        uid: randomUUID(),
        creationTimestamp: now()
          .toISOString()
          .replace(/\.\d{3}Z$/, 'Z'),
      }
      const secret = build(namespace, name, input, identity, nextRevision(), input.type ?? 'Opaque')
      secrets.set(keyOf(namespace, name), secret)
      return secret
    },
    update: (namespace, name, input, force = false) => {
      const current = secrets.get(keyOf(namespace, name))
      if (current === undefined) return undefined
      const unchanged =
        !force &&
        sameMap(current.data, input.data) &&
        sameMap(current.metadata.labels, input.labels) &&
        sameMap(current.metadata.annotations, input.annotations) &&
        (input.type === undefined || input.type === current.type)
      if (unchanged) return { secret: current, changed: false }
      const secret = build(namespace, name, input, current.metadata, nextRevision(), input.type ?? current.type)
      secrets.set(keyOf(namespace, name), secret)
      return { secret, changed: true }
    },
    delete: (namespace, name) => {
      const current = secrets.get(keyOf(namespace, name))
      secrets.delete(keyOf(namespace, name))
      return current
    },
  }
}
