/**
 * Maps a request line to the Secret endpoint it addresses and the names the rest of the
 * simulator uses for it: the request kind (for fault rules and counters) and the RBAC verb
 * (for 403 messages).
 */
import { routeScrapeConfig, scrapeConfigVerb, type ScrapeConfigEndpoint } from './scrapeconfig-routes.js'

export type Endpoint =
  | { readonly op: 'get' | 'put' | 'patch' | 'delete'; readonly namespace: string; readonly name: string }
  /** a GET asking only for the metadata (`Accept: application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1`) */
  | { readonly op: 'getMetadata'; readonly namespace: string; readonly name: string }
  | { readonly op: 'create'; readonly namespace: string; readonly name?: undefined }
  | { readonly op: 'unsupported'; readonly namespace: string; readonly name?: string }
  | { readonly op: 'accessReview'; readonly namespace?: undefined; readonly name?: undefined }
  | { readonly op: 'unknown'; readonly namespace?: undefined; readonly name?: undefined }
  | ScrapeConfigEndpoint

const ITEM = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)\/?$/
const COLLECTION = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/?$/
const ACCESS_REVIEWS = /^\/apis\/authorization\.k8s\.io\/v1\/selfsubjectaccessreviews\/?$/

const itemOps: Readonly<Record<string, 'get' | 'put' | 'patch' | 'delete'>> = {
  GET: 'get',
  PUT: 'put',
  PATCH: 'patch',
  DELETE: 'delete',
}

const decode = (segment: string | undefined): string => {
  try {
    return decodeURIComponent(segment ?? '')
  } catch {
    return segment ?? ''
  }
}

/** The apiserver's metadata-only form of an object, asked for with this Accept parameter. */
const wantsMetadataOnly = (accept: string | undefined): boolean =>
  accept !== undefined && /(^|;)\s*as=PartialObjectMetadata\s*(;|,|$)/.test(accept) && /(^|;)\s*g=meta\.k8s\.io\s*(;|,|$)/.test(accept)

export const route = (method: string, url: string, userAgent?: string, accept?: string): Endpoint => {
  const scrapeConfig = routeScrapeConfig(method, url, userAgent)
  if (scrapeConfig !== undefined) return scrapeConfig
  const path = new URL(url, 'http://simulator').pathname
  const item = ITEM.exec(path)
  if (item !== null) {
    const namespace = decode(item[1])
    const name = decode(item[2])
    const op = itemOps[method]
    if (op === 'get' && wantsMetadataOnly(accept)) return { op: 'getMetadata', namespace, name }
    return op === undefined ? { op: 'unsupported', namespace, name } : { op, namespace, name }
  }
  if (ACCESS_REVIEWS.test(path)) return method === 'POST' ? { op: 'accessReview' } : { op: 'unsupported', namespace: '' }
  const collection = COLLECTION.exec(path)
  if (collection !== null) {
    const namespace = decode(collection[1])
    return method === 'POST' ? { op: 'create', namespace } : { op: 'unsupported', namespace }
  }
  return { op: 'unknown' }
}

/** Counter and fault-rule name, e.g. `secret.get`, `secret.create`. */
export const kindOf = (endpoint: Endpoint): string =>
  endpoint.op === 'scrapeConfig'
    ? `scrapeconfig.${endpoint.action}`
    : endpoint.op === 'getMetadata'
      ? 'secret.get-metadata'
      : endpoint.op === 'unknown'
        ? 'unknown'
        : endpoint.op === 'accessReview'
          ? 'selfsubjectaccessreview.create'
          : `secret.${endpoint.op}`

export const isWrite = (endpoint: Endpoint): boolean => endpoint.op === 'put' || endpoint.op === 'patch' || endpoint.op === 'create' || endpoint.op === 'delete'

/** The verb RBAC checks, as it appears in a Forbidden message. */
export const verbOf = (endpoint: Endpoint): string => {
  switch (endpoint.op) {
    case 'put':
      return 'update'
    case 'get':
    case 'patch':
    case 'create':
    case 'delete':
      return endpoint.op
    case 'getMetadata':
      return 'get'
    case 'scrapeConfig':
      return scrapeConfigVerb(endpoint.action)
    default:
      return 'get'
  }
}
