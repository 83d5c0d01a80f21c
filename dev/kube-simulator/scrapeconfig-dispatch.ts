/**
 * Authorization and the action switch for the ScrapeConfig resource. The simulator's RBAC for
 * it: the service's token may use every verb in `allowedNamespaces` (all namespaces when not
 * set), never in the forbidden namespaces; the forbidden token may do nothing. That is the Role
 * the scrapeconfig mode needs (one namespace), so a request elsewhere is 403 as on a real cluster.
 */
import { createScrapeConfig, deleteScrapeConfig, fail, getScrapeConfig, listScrapeConfigs, type ScrapeConfigReply } from './scrapeconfig-operations.js'
import { scrapeConfigVerb, type ScrapeConfigEndpoint } from './scrapeconfig-routes.js'
import type { ScrapeConfigStore } from './scrapeconfig-store.js'
import { patchScrapeConfig, replaceScrapeConfig } from './scrapeconfig-writes.js'
import * as C from './scrapeconfig-status.js'

export interface ScrapeConfigAccess {
  readonly user: string
  /** the caller may not use ScrapeConfigs at all (the forbidden token) */
  readonly denied: boolean
  readonly forbiddenNamespaces: ReadonlySet<string>
  /** when set, the only namespaces where ScrapeConfigs may be used */
  readonly allowedNamespaces: ReadonlySet<string> | undefined
}

export const dispatchScrapeConfig = (
  store: ScrapeConfigStore,
  endpoint: ScrapeConfigEndpoint,
  access: ScrapeConfigAccess,
  contentType: string,
  body: string,
  now: Date = new Date(),
): ScrapeConfigReply => {
  const { namespace, name } = endpoint
  const allowed =
    !access.denied && !access.forbiddenNamespaces.has(namespace) && (access.allowedNamespaces === undefined || access.allowedNamespaces.has(namespace))
  if (!allowed) return fail(C.forbidden(scrapeConfigVerb(endpoint.action), access.user, namespace, name))
  if (name === undefined) {
    if (endpoint.action === 'list') return listScrapeConfigs(store, namespace, endpoint.query)
    if (endpoint.action === 'create') return createScrapeConfig(store, endpoint, contentType, body, now)
    return fail(C.methodNotAllowed())
  }
  switch (endpoint.action) {
    case 'get':
      return getScrapeConfig(store, namespace, name)
    case 'patch':
      return patchScrapeConfig(store, endpoint, name, contentType, body, now)
    case 'replace':
      return replaceScrapeConfig(store, endpoint, name, contentType, body, now)
    case 'delete':
      return deleteScrapeConfig(store, endpoint, name, body)
    default:
      return fail(C.methodNotAllowed())
  }
}
