/**
 * Authentication, authorization and the endpoint call, as one synchronous function.
 *
 * Kept synchronous so that the resourceVersion check and the write in `operations.ts` happen in
 * the same event-loop turn as the decision to let the request through: nothing can interleave.
 * Authentication runs before routing, as in the apiserver, so an unknown path without a token is
 * 401 rather than 404.
 */
import { selfSubjectAccessReview, type AccessReviewReply } from './access-review.js'
import { createSecret, deleteSecret, getSecret, getSecretMetadata, patchSecret, putSecret, type Reply } from './operations.js'
import { verbOf, type Endpoint } from './routes.js'
import type { SecretStore } from './secret-store.js'
import { dispatchScrapeConfig } from './scrapeconfig-dispatch.js'
import type { ScrapeConfigReply } from './scrapeconfig-operations.js'
import { createScrapeConfigStore, type ScrapeConfigStore } from './scrapeconfig-store.js'
import * as S from './status.js'

export interface AccessPolicy {
  /** full rights on Secrets outside `forbiddenNamespaces`, authenticating as `user` */
  readonly token: string
  readonly user: string
  readonly forbiddenNamespaces: ReadonlySet<string>
  /** authenticates as `forbiddenUser`, which may do nothing */
  readonly forbiddenToken: string
  readonly forbiddenUser: string
  /** when set, the only namespaces where `token` may use ScrapeConfigs (a namespaced Role) */
  readonly scrapeConfigNamespaces?: ReadonlySet<string>
  /** false: the ScrapeConfig CRD is not installed, its endpoints answer 404 */
  readonly scrapeConfigCrd?: boolean
}

export type Dispatch = (
  endpoint: Endpoint,
  authorization: string | undefined,
  contentType: string,
  body: string,
) => Reply | AccessReviewReply | ScrapeConfigReply

const refuse = (status: S.Status): Reply => ({ status: status.code, body: status, changed: false })

export const createDispatch =
  (store: SecretStore, policy: AccessPolicy, scrapeConfigs: ScrapeConfigStore = createScrapeConfigStore()): Dispatch =>
  (endpoint, authorization, contentType, body) => {
    const bearer = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1]
    if (bearer !== policy.token && bearer !== policy.forbiddenToken) return refuse(S.unauthorized())
    if (endpoint.op === 'unknown') return refuse(S.unknownPath())
    // any authenticated user may ask what it may do (system:basic-user); the answer is about the asker
    if (endpoint.op === 'accessReview') {
      const forbiddenUser = bearer === policy.forbiddenToken
      return selfSubjectAccessReview(body, {
        user: forbiddenUser ? policy.forbiddenUser : policy.user,
        mayUseSecrets: !forbiddenUser,
        forbiddenNamespaces: policy.forbiddenNamespaces,
        scrapeConfigNamespaces: policy.scrapeConfigNamespaces,
      })
    }
    if (endpoint.op === 'scrapeConfig') {
      // no CRD, no API: the apiserver serves nothing under monitoring.coreos.com (authorization never runs)
      if (policy.scrapeConfigCrd === false) return refuse(S.unknownPath())
      const denied = bearer === policy.forbiddenToken
      const access = {
        user: denied ? policy.forbiddenUser : policy.user,
        denied,
        forbiddenNamespaces: policy.forbiddenNamespaces,
        allowedNamespaces: policy.scrapeConfigNamespaces,
      }
      return dispatchScrapeConfig(scrapeConfigs, endpoint, access, contentType, body)
    }
    if (bearer === policy.forbiddenToken || policy.forbiddenNamespaces.has(endpoint.namespace)) {
      const who = bearer === policy.forbiddenToken ? policy.forbiddenUser : policy.user
      return refuse(S.forbidden(verbOf(endpoint), who, endpoint.namespace, endpoint.name))
    }
    switch (endpoint.op) {
      case 'get':
        return getSecret(store, endpoint.namespace, endpoint.name)
      case 'getMetadata':
        return getSecretMetadata(store, endpoint.namespace, endpoint.name)
      case 'put':
        return putSecret(store, endpoint.namespace, endpoint.name, contentType, body)
      case 'patch':
        return patchSecret(store, endpoint.namespace, endpoint.name, contentType, body)
      case 'create':
        return createSecret(store, endpoint.namespace, contentType, body)
      case 'delete':
        return deleteSecret(store, endpoint.namespace, endpoint.name)
      case 'unsupported':
        return refuse(S.methodNotAllowed())
    }
  }
