/**
 * Grafana's two ways to authenticate an API call: a service-account token as a Bearer token, or
 * basic auth with a user's login. Bodies of 401s differ by cause and by Grafana version; clients
 * are expected to look only at the status (and perhaps `message`).
 */
import { failure, type Reply } from './reply.js'

export interface Credentials {
  readonly token: string
  readonly basicAuth: { readonly user: string; readonly password: string }
}

/** undefined when the request may proceed, else the 401 to answer. */
export const authorize = (header: string | undefined, credentials: Credentials): Reply | undefined => {
  if (header === undefined) return failure(401, 'Unauthorized')
  const [scheme = '', value = ''] = header.trim().split(/\s+/, 2)
  switch (scheme.toLowerCase()) {
    case 'bearer':
      return value === credentials.token ? undefined : failure(401, 'invalid API key')
    case 'basic': {
      const decoded = Buffer.from(value, 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      const user = colon < 0 ? decoded : decoded.slice(0, colon)
      const password = colon < 0 ? '' : decoded.slice(colon + 1)
      return user === credentials.basicAuth.user && password === credentials.basicAuth.password ? undefined : failure(401, 'Invalid username or password')
    }
    default:
      return failure(401, 'Unauthorized')
  }
}
