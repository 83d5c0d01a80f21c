/**
 * A ScrapeConfig request body → the object the simulator would store, with the apiserver's
 * decoding errors (400: not JSON/YAML, wrong apiVersion or kind, name or namespace not the URL's)
 * kept apart from validation errors (422: name, labels, spec), as a real cluster does.
 */
import { parse as parseYaml } from 'yaml'
import type { Json, JsonObject } from './managed-fields.js'
import { API_VERSION, KIND, badRequest, invalid, unsupportedMediaType, type CrStatus, type FieldError } from './scrapeconfig-status.js'
import { validateMetadata, validateName, validateSpec } from './scrapeconfig-validation.js'

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly status: CrStatus }

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)
export const metadataOf = (o: JsonObject): JsonObject => (isObject(o['metadata']) ? o['metadata'] : {})
const text = (v: Json | undefined): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

export const parseJsonBody = (body: string): Result<JsonObject> => {
  try {
    const value = JSON.parse(body) as unknown
    return isObject(value) ? { ok: true, value } : { ok: false, status: badRequest('json: cannot unmarshal into Go value of type map[string]interface {}') }
  } catch (error) {
    return { ok: false, status: badRequest(`couldn't get version/kind; json parse error: ${(error as Error).message}`) }
  }
}

/** A create or replace body: JSON only (the simulator speaks no YAML there, though the apiserver lists both). */
export const jsonObjectBody = (contentType: string, body: string): Result<JsonObject> =>
  contentType === 'application/json' ? parseJsonBody(body) : { ok: false, status: unsupportedMediaType(['application/json', 'application/yaml']) }

/** An apply body is YAML (JSON is YAML too). */
export const parseYamlBody = (body: string): Result<JsonObject> => {
  try {
    const value = parseYaml(body) as unknown
    return isObject(value) ? { ok: true, value } : { ok: false, status: badRequest('error decoding YAML: the body is not an object') }
  } catch (error) {
    return { ok: false, status: badRequest(`error decoding YAML: ${(error as Error).message}`) }
  }
}

/** apiVersion and kind must be the resource's; custom resources are decoded by them. */
export const checkTypeMeta = (o: JsonObject): CrStatus | undefined => {
  if (o['kind'] === undefined || o['kind'] === '') return badRequest(`Object 'Kind' is missing in '${JSON.stringify(o).slice(0, 200)}'`)
  if (o['apiVersion'] !== API_VERSION) {
    return badRequest(
      `the API version in the data (${typeof o['apiVersion'] === 'string' ? o['apiVersion'] : ''}) does not match the expected API version (${API_VERSION})`,
    )
  }
  if (o['kind'] !== KIND) return badRequest(`the object provided is unrecognized (must be of type ${KIND}): kind ${JSON.stringify(o['kind'])}`)
  return undefined
}

export interface Addressed {
  /** the object as it will be stored (status dropped, name/namespace from the URL) */
  readonly object: JsonObject
  readonly resourceVersion: string | undefined
}

/** Body name/namespace must match the URL's (an absent one takes the URL's). */
export const address = (o: JsonObject, namespace: string, name: string): Result<Addressed> => {
  const metadata = metadataOf(o)
  const bodyName = text(metadata['name'])
  if (bodyName !== undefined && bodyName !== name) {
    return { ok: false, status: badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`) }
  }
  const bodyNamespace = text(metadata['namespace'])
  if (bodyNamespace !== undefined && bodyNamespace !== namespace) {
    return { ok: false, status: badRequest('the namespace of the provided object does not match the namespace sent on the request') }
  }
  const { status: _status, ...rest } = o
  const { resourceVersion, managedFields: _mf, uid: _uid, generation: _g, creationTimestamp: _ct, ...userMetadata } = metadata
  return { ok: true, value: { object: { ...rest, metadata: { ...userMetadata, name, namespace } }, resourceVersion: text(resourceVersion) } }
}

/** `checkTypeMeta`, then `address`: what an update or an apply does first with the object it was sent. */
export const typedAndAddressed = (o: JsonObject, namespace: string, name: string): Result<Addressed> => {
  const typeMeta = checkTypeMeta(o)
  return typeMeta === undefined ? address(o, namespace, name) : { ok: false, status: typeMeta }
}

/** 422 when the name (only on create), labels or spec are invalid. */
export const validate = (o: JsonObject, name: string, creating: boolean): CrStatus | undefined => {
  const errors: FieldError[] = [...(creating ? validateName(name) : []), ...validateMetadata(metadataOf(o)), ...validateSpec(o['spec'])]
  return errors.length === 0 ? undefined : invalid(name, errors)
}

/** The manager a write is recorded under: `fieldManager`, else the User-Agent's product. */
export const managerOf = (query: URLSearchParams, userAgent: string | undefined): string =>
  query.get('fieldManager') ?? (userAgent?.split('/')[0]?.trim() || 'unknown')

export const isDryRun = (query: URLSearchParams): boolean => query.get('dryRun') === 'All'
