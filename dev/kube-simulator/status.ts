/**
 * `metav1.Status` bodies exactly as kube-apiserver writes them.
 *
 * Clients (client-node, kubectl, controllers) branch on `reason` and `code`, and humans read
 * `message`; so the wording here is copied from the apiserver (k8s.io/apimachinery
 * `pkg/api/errors`) rather than invented, and the simulator answers every failure through these
 * builders so no handler can drift into a home-made error shape. The envelope and the failures
 * that name no resource are dev/metav1-status.ts, shared with Grafana's `/apis`.
 */
import { badRequest, faultStatus, statusFailure, unauthorized, type StatusFailure } from '../metav1-status.js'

export interface StatusCause {
  readonly reason?: string
  readonly message: string
  readonly field?: string
}

export interface StatusDetails {
  readonly name?: string
  readonly kind?: string
  readonly uid?: string
  readonly causes?: readonly StatusCause[]
  readonly retryAfterSeconds?: number
}

export type Status = StatusFailure<StatusDetails>

/** The plural resource name the apiserver puts into messages and `details.kind`. */
const RESOURCE = 'secrets'

const failure = (code: number, reason: string, message: string, details?: StatusDetails): Status => statusFailure(code, reason, message, details)

export { badRequest, methodNotAllowed, unauthorized, unknownPath, unsupportedMediaType } from '../metav1-status.js'

/** `verb` is the RBAC verb: get, update, patch, create, delete. `name` is absent for create. */
export const forbidden = (verb: string, user: string, namespace: string, name?: string): Status =>
  failure(
    403,
    'Forbidden',
    `${name === undefined ? RESOURCE : `${RESOURCE} "${name}"`} is forbidden: User "${user}" cannot ${verb} resource "${RESOURCE}" in API group "" in the namespace "${namespace}"`,
    name === undefined ? { kind: RESOURCE } : { name, kind: RESOURCE },
  )

export const notFound = (name: string): Status => failure(404, 'NotFound', `${RESOURCE} "${name}" not found`, { name, kind: RESOURCE })

export const conflict = (name: string): Status =>
  failure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${RESOURCE} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, kind: RESOURCE },
  )

export const alreadyExists = (name: string): Status => failure(409, 'AlreadyExists', `${RESOURCE} "${name}" already exists`, { name, kind: RESOURCE })

export const requestEntityTooLarge = (): Status => failure(413, 'RequestEntityTooLarge', 'the server has received a request that is too large')

/** A validation failure of the Secret itself (`Secret "x" is invalid: field: detail`). */
export const invalidSecret = (name: string, causes: readonly (Required<Pick<StatusCause, 'field' | 'message'>> & { readonly reason?: string })[]): Status =>
  failure(
    422,
    'Invalid',
    `Secret "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`,
    // the cause type follows the field error: field.Invalid → FieldValueInvalid, field.TooLong → FieldValueTooLong
    { name, kind: 'Secret', causes: causes.map((c) => ({ reason: c.reason ?? 'FieldValueInvalid', message: c.message, field: c.field })) },
  )

/** A JSON patch that could not be applied (failed `test`, missing path): apiserver's generic 422. */
export const patchNotApplicable = (detail: string): Status =>
  failure(422, 'Invalid', 'the server rejected our request due to an error in our request', {
    causes: [{ reason: 'UnexpectedServerResponse', message: detail }],
  })

/** Status body for an injected fault status; `name` is the secret the request addressed, if any. */
export const forStatusCode = (code: number, name: string, retryAfterSeconds?: number): Status => {
  switch (code) {
    case 400:
      return badRequest('the server rejected our request for an unknown reason')
    case 401:
      return unauthorized()
    case 404:
      return notFound(name)
    case 409:
      return conflict(name)
    default:
      return faultStatus(code, retryAfterSeconds)
  }
}
