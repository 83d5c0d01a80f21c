/**
 * Read, create and delete of ScrapeConfigs, synchronous like the Secret operations so a check
 * and its write happen in one event-loop turn (no interleaving between concurrent requests).
 */
import { updateFields } from './managed-fields.js'
import { parseLabelSelector } from './label-selector.js'
import { address, checkTypeMeta, isDryRun, isObject, jsonObjectBody, managerOf, metadataOf, parseJsonBody, validate } from './scrapeconfig-input.js'
import type { ScrapeConfigEndpoint } from './scrapeconfig-routes.js'
import { render, type ScrapeConfigStore, type StoredScrapeConfig } from './scrapeconfig-store.js'
import * as C from './scrapeconfig-status.js'

export interface ScrapeConfigReply {
  readonly status: number
  readonly body: unknown
  /** the store was changed */
  readonly changed: boolean
}

/** Any Status body, including the shared JSON-patch ones (their wording names no resource). */
export const fail = (status: { readonly code: number }): ScrapeConfigReply => ({ status: status.code, body: status, changed: false })
const asText = (v: unknown): string => (typeof v === 'string' ? v : '')
export const nowText = (now: Date): string => now.toISOString().replace(/\.\d{3}Z$/, 'Z')
const labelsOf = (o: Record<string, unknown>): Record<string, string> => {
  const metadata = isObject(o['metadata']) ? o['metadata'] : {}
  return isObject(metadata['labels']) ? (metadata['labels'] as Record<string, string>) : {}
}

export const getScrapeConfig = (store: ScrapeConfigStore, namespace: string, name: string): ScrapeConfigReply => {
  const stored = store.get(namespace, name)
  return stored === undefined ? fail(C.notFound(name)) : { status: 200, body: render(stored), changed: false }
}

const nameOf = (o: Record<string, unknown>): string => asText((isObject(o['metadata']) ? o['metadata'] : {})['name'])
const encodeContinue = (name: string): string => Buffer.from(JSON.stringify({ v: 'sim/1', start: name })).toString('base64url')
/** undefined: no token; null: not a token this server issued */
const decodeContinue = (token: string): string | null => {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown
    return isObject(parsed) && parsed['v'] === 'sim/1' && typeof parsed['start'] === 'string' ? parsed['start'] : null
  } catch {
    return null
  }
}

export const listScrapeConfigs = (store: ScrapeConfigStore, namespace: string, query: URLSearchParams): ScrapeConfigReply => {
  const selectorText = query.get('labelSelector') ?? ''
  const selector = parseLabelSelector(selectorText)
  if (!selector.ok) return fail(C.badRequest(`unable to parse requirement: ${JSON.stringify(selector.bad)}`))
  // limit/continue as the apiserver pages a list: the token names the last key handed out
  const limitText = query.get('limit') ?? ''
  const limit = /^\d{1,9}$/.test(limitText) ? Number(limitText) : 0
  const token = query.get('continue') ?? ''
  const after = token === '' ? undefined : decodeContinue(token)
  if (after === null) return fail(C.badRequest('continue key is not valid: the token was not issued by this server'))
  // walk the sorted names from the token on and stop one past the page: a page of 500 out of
  // 100,000 objects costs a page, not a sort of the namespace
  const page: StoredScrapeConfig[] = []
  let more = false
  for (const stored of store.list(namespace, after)) {
    if (!selector.selector(labelsOf(stored.object))) continue
    if (limit > 0 && page.length === limit) {
      more = true
      break
    }
    page.push(stored)
  }
  const lastName = page.length === 0 ? undefined : nameOf((page[page.length - 1] as StoredScrapeConfig).object)
  const next = more && lastName !== undefined ? encodeContinue(lastName) : ''
  // as the apiserver: the count of what is left is known without a selector, and left out with one
  const remaining = next !== '' && lastName !== undefined && selectorText.trim() === '' ? { remainingItemCount: store.count(namespace, lastName) } : {}
  return {
    status: 200,
    body: {
      apiVersion: C.API_VERSION,
      items: page.map(render),
      kind: `${C.KIND}List`,
      metadata: { continue: next, resourceVersion: store.revision(), ...remaining },
    },
    changed: false,
  }
}

export const createScrapeConfig = (
  store: ScrapeConfigStore,
  endpoint: ScrapeConfigEndpoint,
  contentType: string,
  body: string,
  now: Date,
): ScrapeConfigReply => {
  const parsed = jsonObjectBody(contentType, body)
  if (!parsed.ok) return fail(parsed.status)
  const typeMeta = checkTypeMeta(parsed.value)
  if (typeMeta !== undefined) return fail(typeMeta)
  const name = metadataOf(parsed.value)['name']
  if (typeof name !== 'string' || name === '') {
    return fail(C.invalid('', [{ field: 'metadata.name', reason: 'FieldValueRequired', message: 'Required value: name or generateName is required' }]))
  }
  const input = address(parsed.value, endpoint.namespace, name)
  if (!input.ok) return fail(input.status)
  if (input.value.resourceVersion !== undefined) return fail(C.badRequest('resourceVersion should not be set on objects to be created'))
  const invalid = validate(input.value.object, name, true)
  if (invalid !== undefined) return fail(invalid)
  if (store.get(endpoint.namespace, name) !== undefined) return fail(C.alreadyExists(name))
  const managers = updateFields(undefined, input.value.object, [], managerOf(endpoint.query, endpoint.userAgent), nowText(now))
  if (isDryRun(endpoint.query)) return { status: 201, body: render({ object: input.value.object, managers }), changed: false }
  const { stored } = store.write(endpoint.namespace, name, input.value.object, managers)
  return { status: 201, body: render(stored), changed: true }
}

const preconditionsOf = (body: string): { uid?: string; resourceVersion?: string } => {
  if (body.trim() === '') return {}
  const parsed = parseJsonBody(body)
  const preconditions = parsed.ok && isObject(parsed.value['preconditions']) ? parsed.value['preconditions'] : {}
  const pick = (k: string): string | undefined => (typeof preconditions[k] === 'string' ? preconditions[k] : undefined)
  return {
    ...(pick('uid') === undefined ? {} : { uid: pick('uid') }),
    ...(pick('resourceVersion') === undefined ? {} : { resourceVersion: pick('resourceVersion') }),
  }
}

/** DELETE with optional DeleteOptions preconditions; no finalizers, so the object goes at once. */
export const deleteScrapeConfig = (store: ScrapeConfigStore, endpoint: ScrapeConfigEndpoint, name: string, body: string): ScrapeConfigReply => {
  const stored = store.get(endpoint.namespace, name)
  if (stored === undefined) return fail(C.notFound(name))
  const metadata = metadataOf(stored.object)
  const { uid, resourceVersion } = preconditionsOf(body)
  if (uid !== undefined && uid !== metadata['uid']) {
    return fail(
      C.preconditionFailed(endpoint.namespace, name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${asText(metadata['uid'])}`),
    )
  }
  if (resourceVersion !== undefined && resourceVersion !== metadata['resourceVersion']) {
    return fail(
      C.preconditionFailed(
        endpoint.namespace,
        name,
        `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${asText(metadata['resourceVersion'])}`,
      ),
    )
  }
  if (!isDryRun(endpoint.query)) store.delete(endpoint.namespace, name)
  return {
    status: 200,
    body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: C.GROUP, kind: C.PLURAL, uid: metadata['uid'] } },
    changed: !isDryRun(endpoint.query),
  }
}
