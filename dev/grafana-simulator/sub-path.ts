/**
 * Grafana served from a sub-path (`root_url = https://host/grafana/`, `serve_from_sub_path =
 * true`): every route answers under the sub-path only, and the links Grafana returns (`url`,
 * `folderUrl` of saves, searches and dashboard metas) already start with it. The handlers stay
 * sub-path-agnostic; the server strips the prefix on the way in and adds it on the way out.
 */
import { isRecord } from './reply.js'

/** `/grafana/` or `grafana` → `/grafana`; empty → '' (served from the root). */
export const normalizeSubPath = (subPath: string | undefined): string => {
  const trimmed = (subPath ?? '').replace(/^\/+|\/+$/g, '')
  return trimmed === '' ? '' : `/${trimmed}`
}

/** The route path inside the sub-path, or undefined when the request is outside it (Grafana: 404). */
export const insideSubPath = (pathname: string, subPath: string): string | undefined => {
  if (subPath === '') return pathname
  if (pathname === subPath) return '/'
  return pathname.startsWith(`${subPath}/`) ? pathname.slice(subPath.length) : undefined
}

const LINK_FIELDS = ['url', 'folderUrl'] as const

const prefixLinks = (value: Record<string, unknown>, subPath: string): Record<string, unknown> => {
  const copy: Record<string, unknown> = { ...value }
  for (const field of LINK_FIELDS) {
    const link = copy[field]
    if (typeof link === 'string' && link.startsWith('/')) copy[field] = `${subPath}${link}`
  }
  return copy
}

/**
 * Adds the sub-path to the links of a response body: top-level ones (dashboard save), `meta`'s
 * (dashboard get) and each hit's (search). The stored dashboard model is never touched.
 */
export const withSubPathLinks = (body: unknown, subPath: string): unknown => {
  if (subPath === '') return body
  if (Array.isArray(body)) return (body as readonly unknown[]).map((hit) => (isRecord(hit) ? prefixLinks(hit, subPath) : hit))
  if (!isRecord(body)) return body
  const top = prefixLinks(body, subPath)
  if (isRecord(top['meta'])) top['meta'] = prefixLinks(top['meta'], subPath)
  return top
}
