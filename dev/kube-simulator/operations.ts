/**
 * What each Secret endpoint does once the request is authenticated, authorized and fully read.
 *
 * Every function here is synchronous on purpose: the read of the current object, the
 * resourceVersion precondition and the store write happen in one turn of the event loop, so two
 * concurrent writers can never both pass the check (the optimistic-concurrency guarantee etcd gives
 * the apiserver). Anything asynchronous (latency, body reading) happens before this point.
 */
import { applyJsonPatch, applyMergePatch, JSON_PATCH, PATCH_TYPES, type Json } from './patch.js'
import { decodeSecretBody, validateSecret, type Result, type SecretInput } from './secret-body.js'
import type { SecretObject, SecretStore } from './secret-store.js'
import * as S from './status.js'

/** Success Status of a DELETE; `code` is omitted on the wire, the HTTP status carries it. */
export interface DeletedStatus {
  readonly kind: 'Status'
  readonly apiVersion: 'v1'
  readonly metadata: Record<string, never>
  readonly status: 'Success'
  readonly details: { readonly name: string; readonly kind: 'secrets'; readonly uid: string }
}

/** `as=PartialObjectMetadata`: the object's metadata only */
export interface PartialObjectMetadata {
  readonly apiVersion: 'meta.k8s.io/v1'
  readonly kind: 'PartialObjectMetadata'
  readonly metadata: SecretObject['metadata']
}

export interface Reply {
  readonly status: number
  readonly body: SecretObject | PartialObjectMetadata | S.Status | DeletedStatus
  /** the store was changed (counts as a successful write) */
  readonly changed: boolean
}

const reply = (status: number, body: Reply['body'], changed = false): Reply => ({ status, body, changed })
const fail = (status: S.Status): Reply => reply(status.code, status)

const JSON_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']

/** `application/json; charset=utf-8` → `application/json` */
export const mediaType = (header: string | undefined): string => (header ?? '').split(';')[0]?.trim().toLowerCase() ?? ''

const parseJson = (text: string): Result<unknown> => {
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch (error) {
    return { ok: false, status: S.badRequest(`Secret in version "v1" cannot be handled as a Secret: ${(error as Error).message}`) }
  }
}

const decodeJsonBody = (contentType: string, text: string): Result<SecretInput> => {
  if (contentType !== 'application/json') return { ok: false, status: S.unsupportedMediaType(JSON_TYPES) }
  const parsed = parseJson(text)
  return parsed.ok ? decodeSecretBody(parsed.value) : parsed
}

/** Shared tail of PUT and PATCH: URL/body consistency, precondition, validation, write. */
const update = (store: SecretStore, namespace: string, name: string, input: SecretInput): Reply => {
  if (input.name !== undefined && input.name !== name) {
    return fail(S.badRequest(`the name of the object (${input.name}) does not match the name on the URL (${name})`))
  }
  if (input.namespace !== undefined && input.namespace !== namespace) {
    return fail(S.badRequest('the namespace of the provided object does not match the namespace sent on the request'))
  }
  const current = store.get(namespace, name)
  if (current === undefined) return fail(S.notFound(name))
  // An update that carries a resourceVersion is conditional on it (optimistic concurrency);
  // one without is an unconditional overwrite, which Secrets allow.
  if (input.resourceVersion !== undefined && input.resourceVersion !== current.metadata.resourceVersion) {
    return fail(S.conflict(name))
  }
  const invalid = validateSecret(name, input)
  if (invalid !== undefined) return fail(invalid)
  const written = store.update(namespace, name, input)
  return written === undefined ? fail(S.notFound(name)) : reply(200, written.secret, written.changed)
}

export const getSecret = (store: SecretStore, namespace: string, name: string): Reply => {
  const secret = store.get(namespace, name)
  return secret === undefined ? fail(S.notFound(name)) : reply(200, secret)
}

/** The object without its data, as the apiserver answers `as=PartialObjectMetadata` (readiness reads this). */
export const getSecretMetadata = (store: SecretStore, namespace: string, name: string): Reply => {
  const secret = store.get(namespace, name)
  return secret === undefined ? fail(S.notFound(name)) : reply(200, { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: secret.metadata })
}

export const putSecret = (store: SecretStore, namespace: string, name: string, contentType: string, text: string): Reply => {
  const input = decodeJsonBody(contentType, text)
  return input.ok ? update(store, namespace, name, input.value) : fail(input.status)
}

export const patchSecret = (store: SecretStore, namespace: string, name: string, contentType: string, text: string): Reply => {
  if (!PATCH_TYPES.includes(contentType)) return fail(S.unsupportedMediaType(PATCH_TYPES))
  const current = store.get(namespace, name)
  if (current === undefined) return fail(S.notFound(name))
  const patch = parseJson(text)
  if (!patch.ok) return fail(patch.status)
  // The patch is applied to the current object including its resourceVersion, so a patch that
  // sets another resourceVersion (merge patch metadata, json-patch replace) becomes a stale
  // precondition and a 409, while a patch that does not mention it stays unconditional.
  const base = JSON.parse(JSON.stringify(current)) as Json
  const patched = contentType === JSON_PATCH ? applyJsonPatch(base, patch.value) : { ok: true as const, value: applyMergePatch(base, patch.value as Json) }
  if (!patched.ok) return fail(patched.status)
  const input = decodeSecretBody(patched.value)
  return input.ok ? update(store, namespace, name, input.value) : fail(input.status)
}

export const createSecret = (store: SecretStore, namespace: string, contentType: string, text: string): Reply => {
  const input = decodeJsonBody(contentType, text)
  if (!input.ok) return fail(input.status)
  const { name } = input.value
  if (name === undefined) {
    return fail(S.invalidSecret('', [{ field: 'metadata.name', message: 'Required value: name or generateName is required' }]))
  }
  if (input.value.namespace !== undefined && input.value.namespace !== namespace) {
    return fail(S.badRequest('the namespace of the provided object does not match the namespace sent on the request'))
  }
  if (input.value.resourceVersion !== undefined) {
    return fail(S.badRequest('resourceVersion should not be set on objects to be created'))
  }
  const invalid = validateSecret(name, input.value)
  if (invalid !== undefined) return fail(invalid)
  const created = store.create(namespace, name, input.value)
  return created === undefined ? fail(S.alreadyExists(name)) : reply(201, created, true)
}

export const deleteSecret = (store: SecretStore, namespace: string, name: string): Reply => {
  const deleted = store.delete(namespace, name)
  if (deleted === undefined) return fail(S.notFound(name))
  // Objects without graceful deletion answer with a Success Status naming what was removed.
  const body: DeletedStatus = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name, kind: 'secrets', uid: deleted.metadata.uid },
  }
  return reply(200, body, true)
}
