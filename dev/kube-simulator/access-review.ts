/**
 * `POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews`: "may I do this?", answered for
 * the caller's own identity (authorization.k8s.io/v1). Every authenticated user may ask (the
 * apiserver's system:basic-user role); the answer is 201 with the review echoed and
 * `status.allowed`. Nothing is stored. The simulator's RBAC: the service's token may use every
 * verb on core Secrets outside the forbidden namespaces, and on ScrapeConfigs
 * (monitoring.coreos.com) there too, limited to `scrapeConfigNamespaces` when set; the forbidden
 * user may do nothing.
 */
import * as S from './status.js'

export interface AccessReviewReply {
  readonly status: number
  readonly body: Record<string, unknown>
  readonly changed: false
}

export interface Identity {
  readonly user: string
  readonly mayUseSecrets: boolean
  readonly forbiddenNamespaces: ReadonlySet<string>
  readonly scrapeConfigNamespaces?: ReadonlySet<string> | undefined
}

const SECRET_VERBS = new Set(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'])

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u)
const text = (u: unknown): string => (typeof u === 'string' ? u : '')

const invalid = (message: string): AccessReviewReply => ({
  status: 422,
  body: {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `SelfSubjectAccessReview.authorization.k8s.io "" is invalid: ${message}`,
    reason: 'Invalid',
    details: { group: 'authorization.k8s.io', kind: 'SelfSubjectAccessReview' },
    code: 422,
  },
  changed: false,
})

export const selfSubjectAccessReview = (rawBody: string, who: Identity): AccessReviewReply => {
  let body: unknown
  try {
    body = JSON.parse(rawBody) as unknown
  } catch {
    const status = S.badRequest('the body of the request was in an unknown format')
    return { status: 400, body: { ...status }, changed: false }
  }
  if (!isRecord(body) || body['kind'] !== 'SelfSubjectAccessReview' || body['apiVersion'] !== 'authorization.k8s.io/v1') {
    const status = S.badRequest('expected kind SelfSubjectAccessReview, apiVersion authorization.k8s.io/v1')
    return { status: 400, body: { ...status }, changed: false }
  }
  const spec = isRecord(body['spec']) ? body['spec'] : {}
  const resource = spec['resourceAttributes']
  const nonResource = spec['nonResourceAttributes']
  if ((resource === undefined) === (nonResource === undefined))
    return invalid('spec: Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be specified')
  const attributes = isRecord(resource) ? resource : {}
  const verb = text(attributes['verb'])
  const namespace = text(attributes['namespace'])
  const group = text(attributes['group'])
  const kind = text(attributes['resource'])
  const isSecret = group === '' && kind === 'secrets'
  const isScrapeConfig =
    group === 'monitoring.coreos.com' && kind === 'scrapeconfigs' && (who.scrapeConfigNamespaces === undefined || who.scrapeConfigNamespaces.has(namespace))
  const allowed =
    resource !== undefined && who.mayUseSecrets && (isSecret || isScrapeConfig) && SECRET_VERBS.has(verb) && !who.forbiddenNamespaces.has(namespace)
  return {
    status: 201,
    body: {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec,
      status: allowed
        ? { allowed: true, reason: `RBAC: allowed by RoleBinding "telemetry-client" of Role "telemetry-client" to User "${who.user}"` }
        : { allowed: false },
    },
    changed: false,
  }
}
