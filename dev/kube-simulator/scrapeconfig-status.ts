/**
 * `metav1.Status` bodies for the ScrapeConfig custom resource, worded as kube-apiserver words
 * them for a resource of a named API group: the qualified resource `scrapeconfigs.monitoring.coreos.com`
 * in messages, `group` + plural `kind` in details (except Invalid, which names the Kind), and the
 * server-side apply conflict shape (no name, one `FieldManagerConflict` cause per field).
 * Copied from k8s.io/apimachinery `pkg/api/errors` and the apiserver's fieldmanager; the envelope
 * and the failures that name no resource are dev/metav1-status.ts.
 */
import { statusFailure, type StatusFailure } from '../metav1-status.js'

export { badRequest, methodNotAllowed, unsupportedMediaType } from '../metav1-status.js'
export const GROUP = 'monitoring.coreos.com'
export const VERSION = 'v1alpha1'
export const API_VERSION = `${GROUP}/${VERSION}`
export const KIND = 'ScrapeConfig'
export const PLURAL = 'scrapeconfigs'
const QUALIFIED = `${PLURAL}.${GROUP}`

export interface FieldError {
  readonly field: string
  /** e.g. `FieldValueInvalid`, `FieldValueTypeInvalid`, `FieldValueNotSupported`, `FieldValueRequired` */
  readonly reason: string
  /** the body after `field: `, e.g. `Invalid value: "x": detail` */
  readonly message: string
}

export type CrStatus = StatusFailure

const failure = (code: number, reason: string, message: string, details?: Record<string, unknown>): CrStatus => statusFailure(code, reason, message, details)

const about = (name?: string): Record<string, unknown> => (name === undefined ? { group: GROUP, kind: PLURAL } : { name, group: GROUP, kind: PLURAL })

export const notFound = (name: string): CrStatus => failure(404, 'NotFound', `${QUALIFIED} "${name}" not found`, about(name))

export const alreadyExists = (name: string): CrStatus => failure(409, 'AlreadyExists', `${QUALIFIED} "${name}" already exists`, about(name))

export const conflict = (name: string): CrStatus =>
  failure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${QUALIFIED} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    about(name),
  )

/** A failed delete precondition (uid or resourceVersion): storage's invalid-object error wrapped in a Conflict. */
export const preconditionFailed = (namespace: string, name: string, detail: string): CrStatus =>
  failure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${QUALIFIED} "${name}": StorageError: invalid object, Code: 4, Key: /registry/${GROUP}/${PLURAL}/${namespace}/${name}, ResourceVersion: 0, AdditionalErrorMsg: ${detail}`,
    about(name),
  )

/** `verb` is the RBAC verb (get, list, create, patch, update, delete); `name` absent for list/create. */
export const forbidden = (verb: string, user: string, namespace: string, name?: string): CrStatus =>
  failure(
    403,
    'Forbidden',
    `${name === undefined ? QUALIFIED : `${QUALIFIED} "${name}"`} is forbidden: User "${user}" cannot ${verb} resource "${PLURAL}" in API group "${GROUP}" in the namespace "${namespace}"`,
    about(name),
  )

/** errors.NewInvalid: one error is `field: body`, several are `[a, b]`. */
export const invalid = (name: string, errors: readonly FieldError[], kind = `${KIND}.${GROUP}`, group = GROUP, detailsKind = KIND): CrStatus => {
  const parts = errors.map((e) => `${e.field}: ${e.message}`)
  const summary = parts.length === 1 ? (parts[0] ?? '') : `[${parts.join(', ')}]`
  return failure(422, 'Invalid', `${kind} "${name}" is invalid: ${summary}`, {
    name,
    group,
    kind: detailsKind,
    causes: errors.map((e) => ({ reason: e.reason, message: e.message, field: e.field })),
  })
}

/** PatchOptions validation (fieldManager, force), reported against `PatchOptions.meta.k8s.io ""`. */
export const invalidPatchOptions = (errors: readonly FieldError[]): CrStatus => invalid('', errors, 'PatchOptions.meta.k8s.io', 'meta.k8s.io', 'PatchOptions')

export interface ApplyConflict {
  readonly manager: string
  /** fieldpath as SMD prints it, e.g. `.spec.jobName` */
  readonly path: string
}

/** internal/conflict.go: NewConflictError + getConflictMessage. */
export const applyConflict = (conflicts: readonly ApplyConflict[]): CrStatus => {
  const first = conflicts[0]
  let message: string
  if (conflicts.length === 1 && first !== undefined) {
    message = `Apply failed with 1 conflict: conflict with ${first.manager}: ${first.path}`
  } else {
    const managers = [...new Set(conflicts.map((c) => c.manager))].sort()
    const lines = managers.flatMap((m) => [
      `conflicts with ${m}:`,
      ...conflicts
        .filter((c) => c.manager === m)
        .map((c) => `- ${c.path}`)
        .sort(),
    ])
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`
  }
  return failure(409, 'Conflict', message, {
    causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${c.manager}`, field: c.path })),
  })
}

/** An injected fault's Status on a ScrapeConfig path: the resource's own wording where it has one. */
export const forScrapeConfigStatusCode = (code: number, name: string, fallback: (code: number) => unknown): unknown =>
  code === 404 ? notFound(name) : code === 409 ? conflict(name) : fallback(code)
