/**
 * Grafana's data source proxy, `/api/datasources/proxy/uid/:uid/*`: the request (method, path
 * after the uid, query string, body) goes to the datasource's URL with Grafana's own credentials
 * for it, and the upstream answer comes back as is. Grafana's errors, as its datasource proxy
 * service answers them: 400 `UID is invalid` (more than 40 chars or not `[A-Za-z0-9_-]`), 404
 * `Unable to find datasource`, and 502 (empty body) when the upstream cannot be reached.
 *
 * A datasource with a `url` (e.g. a real Prometheus started by the tests or the local stack) is
 * forwarded to. A Loki datasource without one is answered by a Loki stand-in: its query
 * endpoints parse the LogQL with Loki's own grammar (@grafana/lezer-logql) and answer 400 with a
 * plain-text parse error, as Loki does, or an empty stream result.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { parser as logqlParser } from '@grafana/lezer-logql'
import type { DatasourceSpec } from './datasources.js'

export const DATASOURCE_PROXY_KIND = 'datasource.proxy'

const PROXY_PATH = /^\/api\/datasources\/proxy\/uid\/([^/]*)(\/.*)?$/
const SHORT_UID = /^[A-Za-z0-9_-]{1,40}$/

export interface ProxyTarget {
  readonly uid: string
  readonly rest: string
}

/** The uid and the upstream path of a proxy request; undefined for any other path. */
export const matchDatasourceProxy = (pathname: string): ProxyTarget | undefined => {
  const match = PROXY_PATH.exec(pathname)
  return match === null ? undefined : { uid: decodeURIComponent(match[1] ?? ''), rest: match[2] ?? '/' }
}

interface Upstream {
  readonly status: number
  readonly contentType: string
  readonly body: string
}

const json = (status: number, body: unknown): Upstream => ({ status, contentType: 'application/json', body: JSON.stringify(body) })

const logqlError = (query: string): string | undefined => {
  let at: number | undefined
  logqlParser.parse(query).iterate({
    enter: (node) => {
      if (node.type.isError && at === undefined) at = node.from
    },
  })
  return at === undefined
    ? undefined
    : `parse error at line 1, col ${at + 1}: syntax error: unexpected ${JSON.stringify(query.slice(at, at + 10) || 'end of input')}`
}

/** Loki's query API, answered without a Loki: the query is checked, the result is empty. */
const lokiStandIn = (rest: string, search: URLSearchParams): Upstream => {
  if (rest !== '/loki/api/v1/query_range' && rest !== '/loki/api/v1/query') return { status: 404, contentType: 'text/plain', body: '404 page not found\n' }
  const query = search.get('query') ?? ''
  if (query === '') return { status: 400, contentType: 'text/plain; charset=utf-8', body: 'query parameter is required\n' }
  const error = logqlError(query)
  if (error !== undefined) return { status: 400, contentType: 'text/plain; charset=utf-8', body: `${error}\n` }
  return json(200, { status: 'success', data: { resultType: 'streams', result: [], stats: {} } })
}

const readRaw = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)))
  return Buffer.concat(chunks)
}

const forward = async (base: string, rest: string, search: string, req: IncomingMessage, body: Buffer): Promise<Upstream> => {
  try {
    const method = req.method ?? 'GET'
    const answer = await fetch(`${base.replace(/\/+$/, '')}${rest}${search}`, {
      method,
      headers: { 'content-type': req.headers['content-type'] ?? 'application/x-www-form-urlencoded' },
      ...(method === 'GET' || method === 'HEAD' ? {} : { body }),
      signal: AbortSignal.timeout(30_000),
    })
    return { status: answer.status, contentType: answer.headers.get('content-type') ?? 'application/octet-stream', body: await answer.text() }
  } catch {
    return { status: 502, contentType: 'text/plain', body: '' }
  }
}

/** Answers one proxy request (already authenticated); `url.search` is passed on unchanged. */
export const proxyDatasource = async (
  target: ProxyTarget,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
  datasources: readonly DatasourceSpec[],
): Promise<void> => {
  const body = await readRaw(req)
  const found = datasources.find((d) => d.uid === target.uid)
  const answer = !SHORT_UID.test(target.uid)
    ? json(400, { message: 'UID is invalid' })
    : found === undefined
      ? json(404, { message: 'Unable to find datasource' })
      : found.url !== undefined
        ? await forward(found.url, target.rest, url.search, req, body)
        : found.type === 'loki'
          ? lokiStandIn(target.rest, url.searchParams)
          : { status: 502, contentType: 'text/plain', body: '' }
  if (res.writableEnded || res.destroyed) return
  res.writeHead(answer.status, { 'content-type': answer.contentType, 'content-length': Buffer.byteLength(answer.body), 'cache-control': 'no-store' })
  res.end(answer.body)
}
