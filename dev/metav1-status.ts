/**
 * The failure `metav1.Status` body as kube-apiserver writes it, and Grafana's `/apis` too (its API
 * server is the same apiserver library): the envelope, and the wording of the failures that name
 * no resource, copied from k8s.io/apimachinery `pkg/api/errors`. Each simulator words the failures
 * about its own resources (not found, conflict, invalid) on top of these.
 */

export interface StatusFailure<D = Readonly<Record<string, unknown>>> {
  readonly kind: 'Status'
  readonly apiVersion: 'v1'
  readonly metadata: Record<string, never>
  readonly status: 'Failure'
  readonly message: string
  readonly reason: string
  readonly details?: D
  readonly code: number
}

export const statusFailure = <D>(code: number, reason: string, message: string, details?: D): StatusFailure<D> =>
  details === undefined
    ? { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }
    : { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code }

export const unauthorized = (): StatusFailure<never> => statusFailure<never>(401, 'Unauthorized', 'Unauthorized')

/** What the apiserver answers for a path no installed API serves. */
export const unknownPath = (): StatusFailure<Record<string, never>> => statusFailure(404, 'NotFound', 'the server could not find the requested resource', {})

export const badRequest = (message: string): StatusFailure<never> => statusFailure<never>(400, 'BadRequest', message)

export const methodNotAllowed = (): StatusFailure<never> =>
  statusFailure<never>(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource')

export const unsupportedMediaType = (accepted: readonly string[]): StatusFailure<never> =>
  statusFailure<never>(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`)

export const tooManyRequests = (retryAfterSeconds?: number): StatusFailure<{ readonly retryAfterSeconds: number }> =>
  statusFailure(429, 'TooManyRequests', 'Too many requests, please try again later.', retryAfterSeconds === undefined ? undefined : { retryAfterSeconds })

/** The Status of an injected fault status whose wording names no resource: 429, the 5xx, any other code. */
export const faultStatus = (
  code: number,
  retryAfterSeconds?: number,
): StatusFailure<{ readonly retryAfterSeconds?: number; readonly causes?: readonly { readonly message: string }[] }> => {
  switch (code) {
    case 429:
      return tooManyRequests(retryAfterSeconds)
    case 500:
      return statusFailure(500, 'InternalError', 'Internal error occurred: injected fault', { causes: [{ message: 'injected fault' }] })
    case 503:
      return statusFailure<never>(503, 'ServiceUnavailable', 'the server is currently unable to handle the request')
    case 504:
      return statusFailure<never>(504, 'Timeout', 'the server was unable to return a response in the time allotted, but may still be processing the request')
    default:
      return statusFailure<never>(
        code,
        code >= 500 ? 'InternalError' : 'Unknown',
        `the server responded with the status code ${code} but did not return more information`,
      )
  }
}
