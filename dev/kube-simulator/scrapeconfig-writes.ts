/**
 * Updates of an existing-or-not ScrapeConfig: server-side apply (creates when absent, field
 * ownership and conflicts, `force`), merge/JSON patch and replace (PUT). Custom resources allow
 * no unconditional update: a PUT must carry the resourceVersion it read.
 */
import { applyFields, printManager, printPath, updateFields, type JsonObject } from './managed-fields.js'
import { applyJsonPatch, applyMergePatch, JSON_PATCH, MERGE_PATCH, type Json } from './patch.js'
import {
  isDryRun,
  jsonObjectBody,
  typedAndAddressed,
  managerOf,
  metadataOf,
  parseJsonBody,
  parseYamlBody,
  validate,
  type Addressed,
} from './scrapeconfig-input.js'
import { fail, nowText, type ScrapeConfigReply } from './scrapeconfig-operations.js'
import type { ScrapeConfigEndpoint } from './scrapeconfig-routes.js'
import { render, type ScrapeConfigStore, type StoredScrapeConfig } from './scrapeconfig-store.js'
import * as C from './scrapeconfig-status.js'

/** A JSON patch is a list of operations, not an object; applyJsonPatch checks its shape. */
const parseJsonPatch = (body: string): { ok: true; value: unknown } | { ok: false; status: C.CrStatus } => {
  try {
    return { ok: true, value: JSON.parse(body) as unknown }
  } catch (error) {
    return { ok: false, status: C.badRequest(`error decoding patch: ${(error as Error).message}`) }
  }
}

export const APPLY_PATCH = 'application/apply-patch+yaml'
const PATCH_TYPES = [JSON_PATCH, MERGE_PATCH, APPLY_PATCH]

/** Validate, write (unless dryRun) and answer. */
const commit = (
  store: ScrapeConfigStore,
  endpoint: ScrapeConfigEndpoint,
  name: string,
  object: JsonObject,
  managers: Parameters<ScrapeConfigStore['write']>[3],
  creating: boolean,
): ScrapeConfigReply => {
  const invalid = validate(object, name, creating)
  if (invalid !== undefined) return fail(invalid)
  const status = creating ? 201 : 200
  if (isDryRun(endpoint.query)) return { status, body: render({ object, managers }), changed: false }
  const written = store.write(endpoint.namespace, name, object, managers)
  return { status, body: render(written.stored), changed: written.changed }
}

const apply = (store: ScrapeConfigStore, endpoint: ScrapeConfigEndpoint, name: string, body: string, now: Date): ScrapeConfigReply => {
  const manager = endpoint.query.get('fieldManager')
  if (manager === null || manager === '') {
    return fail(C.invalidPatchOptions([{ field: 'fieldManager', reason: 'FieldValueRequired', message: 'Required value: is required for apply patch' }]))
  }
  const parsed = parseYamlBody(body)
  if (!parsed.ok) return fail(parsed.status)
  const input = typedAndAddressed(parsed.value, endpoint.namespace, name)
  if (!input.ok) return fail(input.status)
  const current = store.get(endpoint.namespace, name)
  if (input.value.resourceVersion !== undefined && input.value.resourceVersion !== metadataOf(current?.object ?? {})['resourceVersion']) {
    return fail(C.conflict(name))
  }
  const base = current?.object ?? { apiVersion: C.API_VERSION, kind: C.KIND, metadata: { name, namespace: endpoint.namespace } }
  const outcome = applyFields(base, current?.managers ?? [], input.value.object, manager, endpoint.query.get('force') === 'true', nowText(now))
  if (outcome.conflicts.length > 0) {
    return fail(C.applyConflict(outcome.conflicts.map((c) => ({ manager: printManager(c.manager, C.API_VERSION), path: printPath(c.path) }))))
  }
  return commit(store, endpoint, name, outcome.object, outcome.managers, current === undefined)
}

/** A write of one named object, as the dispatcher calls patch and replace. */
type NamedWrite = (store: ScrapeConfigStore, endpoint: ScrapeConfigEndpoint, name: string, contentType: string, body: string, now: Date) => ScrapeConfigReply

/** An update of the stored object: the resourceVersion the new one names must be the current one (else a failed precondition). */
const update = (store: ScrapeConfigStore, endpoint: ScrapeConfigEndpoint, current: StoredScrapeConfig, input: Addressed, name: string, now: Date) => {
  if (input.resourceVersion !== metadataOf(current.object)['resourceVersion']) return fail(C.conflict(name))
  const managers = updateFields(current.object, input.object, current.managers, managerOf(endpoint.query, endpoint.userAgent), nowText(now))
  return commit(store, endpoint, name, input.object, managers, false)
}

export const patchScrapeConfig: NamedWrite = (store, endpoint, name, contentType, body, now) => {
  if (!PATCH_TYPES.includes(contentType)) return fail(C.unsupportedMediaType(PATCH_TYPES))
  if (contentType === APPLY_PATCH) return apply(store, endpoint, name, body, now)
  if (endpoint.query.has('force')) {
    return fail(C.invalidPatchOptions([{ field: 'force', reason: 'FieldValueForbidden', message: 'Forbidden: may not be specified for non-apply patch' }]))
  }
  const current = store.get(endpoint.namespace, name)
  if (current === undefined) return fail(C.notFound(name))
  const patch = contentType === JSON_PATCH ? parseJsonPatch(body) : parseJsonBody(body)
  if (!patch.ok) return fail(patch.status)
  const document = structuredClone(current.object) as Json
  const patched =
    contentType === JSON_PATCH ? applyJsonPatch(document, patch.value) : { ok: true as const, value: applyMergePatch(document, patch.value as Json) }
  if (!patched.ok) return fail(patched.status)
  const result = patched.value as JsonObject
  const input = typedAndAddressed(result, endpoint.namespace, name)
  if (!input.ok) return fail(input.status)
  // a patch that names another resourceVersion is a precondition that failed
  return update(store, endpoint, current, input.value, name, now)
}

export const replaceScrapeConfig: NamedWrite = (store, endpoint, name, contentType, body, now) => {
  const parsed = jsonObjectBody(contentType, body)
  if (!parsed.ok) return fail(parsed.status)
  const input = typedAndAddressed(parsed.value, endpoint.namespace, name)
  if (!input.ok) return fail(input.status)
  const current = store.get(endpoint.namespace, name)
  if (current === undefined) return fail(C.notFound(name))
  if (input.value.resourceVersion === undefined) {
    return fail(
      C.invalid(name, [{ field: 'metadata.resourceVersion', reason: 'FieldValueInvalid', message: 'Invalid value: 0x0: must be specified for an update' }]),
    )
  }
  return update(store, endpoint, current, input.value, name, now)
}
