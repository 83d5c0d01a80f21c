/**
 * `metav1.Status` bodies as Grafana's `/apis` writes them (its API server is Kubernetes'
 * apiserver library, so the wording is the apiserver's: k8s.io/apimachinery `pkg/api/errors`).
 * `resource` is the plural resource with its group, e.g. `dashboards.dashboard.grafana.app`.
 */
import * as K from '../metav1-status.js'
import { reply, type Reply } from './reply.js'

export interface ApiResource {
  readonly group: string
  readonly plural: string
}

const qualified = (r: ApiResource): string => `${r.plural}.${r.group}`

const answer = (body: K.StatusFailure<unknown>): Reply => reply(body.code, body)
const status = (code: number, reason: string, message: string, details?: Record<string, unknown>): Reply =>
  answer(K.statusFailure(code, reason, message, details))

export const notFound = (r: ApiResource, name: string): Reply =>
  status(404, 'NotFound', `${qualified(r)} "${name}" not found`, { name, group: r.group, kind: r.plural })

/** a path no installed API version serves */
export const unknownPath = (): Reply => answer(K.unknownPath())

export const alreadyExists = (r: ApiResource, name: string): Reply =>
  status(409, 'AlreadyExists', `${qualified(r)} "${name}" already exists`, { name, group: r.group, kind: r.plural })

export const conflict = (
  r: ApiResource,
  name: string,
  why = 'the object has been modified; please apply your changes to the latest version and try again',
): Reply => status(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(r)} "${name}": ${why}`, { name, group: r.group, kind: r.plural })

export const badRequest = (message: string): Reply => answer(K.badRequest(message))

export const invalid = (r: ApiResource, name: string, field: string, message: string): Reply =>
  status(422, 'Invalid', `${r.plural.replace(/s$/, '')} "${name}" is invalid: ${field}: ${message}`, {
    name,
    group: r.group,
    kind: r.plural,
    causes: [{ reason: 'FieldValueInvalid', message, field }],
  })

export const unauthorized = (): Reply => answer(K.unauthorized())

export const success = (r: ApiResource, name: string, uid: string): Reply =>
  reply(200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, group: r.group, kind: r.plural, uid } })

/** the Status an injected fault status answers on an `/apis` route */
export const forStatusCode = (code: number, retryAfterSeconds?: number): Reply => {
  switch (code) {
    case 409:
      return status(409, 'Conflict', 'Operation cannot be fulfilled: injected fault')
    case 412:
      return status(412, 'Conflict', 'Precondition failed: injected fault')
    default:
      return answer(K.faultStatus(code, retryAfterSeconds))
  }
}
