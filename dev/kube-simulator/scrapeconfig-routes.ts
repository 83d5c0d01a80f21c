/**
 * Request lines of the ScrapeConfig custom resource (`/apis/monitoring.coreos.com/v1alpha1/
 * namespaces/NS/scrapeconfigs[/NAME]`) → the action, its RBAC verb and its counter/fault name
 * (`scrapeconfig.get`, `scrapeconfig.list`, ...). The query (labelSelector, fieldManager, force,
 * dryRun) travels with the endpoint because the answer depends on it.
 */
export type ScrapeConfigAction = 'get' | 'list' | 'create' | 'patch' | 'replace' | 'delete' | 'unsupported'

export interface ScrapeConfigEndpoint {
  readonly op: 'scrapeConfig'
  readonly action: ScrapeConfigAction
  readonly namespace: string
  readonly name?: string
  readonly query: URLSearchParams
  /** a non-apply write without `fieldManager` is attributed to the User-Agent's product, as the apiserver does */
  readonly userAgent?: string
}

const PREFIX = String.raw`^\/apis\/monitoring\.coreos\.com\/v1alpha1\/namespaces\/([^/]+)\/scrapeconfigs`
const ITEM = new RegExp(`${PREFIX}\\/([^/]+)\\/?$`)
const COLLECTION = new RegExp(`${PREFIX}\\/?$`)

const ITEM_ACTIONS: Readonly<Record<string, ScrapeConfigAction>> = { GET: 'get', PATCH: 'patch', PUT: 'replace', DELETE: 'delete' }
const COLLECTION_ACTIONS: Readonly<Record<string, ScrapeConfigAction>> = { GET: 'list', POST: 'create' }

const decode = (segment: string | undefined): string => {
  try {
    return decodeURIComponent(segment ?? '')
  } catch {
    return segment ?? ''
  }
}

/** undefined when the URL is not a ScrapeConfig path. */
export const routeScrapeConfig = (method: string, url: string, userAgent?: string): ScrapeConfigEndpoint | undefined => {
  const parsed = new URL(url, 'http://simulator')
  const base = { op: 'scrapeConfig' as const, query: parsed.searchParams, ...(userAgent === undefined ? {} : { userAgent }) }
  const item = ITEM.exec(parsed.pathname)
  if (item !== null) return { ...base, action: ITEM_ACTIONS[method] ?? 'unsupported', namespace: decode(item[1]), name: decode(item[2]) }
  const collection = COLLECTION.exec(parsed.pathname)
  if (collection !== null) return { ...base, action: COLLECTION_ACTIONS[method] ?? 'unsupported', namespace: decode(collection[1]) }
  return undefined
}

/** The RBAC verb, as a Forbidden message names it. */
export const scrapeConfigVerb = (action: ScrapeConfigAction): string => (action === 'replace' ? 'update' : action === 'unsupported' ? 'get' : action)
