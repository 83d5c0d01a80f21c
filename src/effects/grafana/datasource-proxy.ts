/**
 * A GET through Grafana's data source proxy (`/api/datasources/proxy/uid/<uid>/<path>`): Grafana
 * forwards it to the datasource with its own credentials for it, so `verify` reaches the central
 * Prometheus and Loki with nothing but the Grafana credentials the service already has.
 */
import type { Answer, GrafanaTransport } from './grafana-transport.js'

export const proxyGet = (transport: GrafanaTransport, datasourceUid: string, path: string, params: Readonly<Record<string, string>>): Promise<Answer> =>
  transport.send(
    {
      kind: 'datasource.proxy',
      operation: `verify GET ${path}`,
      method: 'get',
      path: `api/datasources/proxy/uid/${encodeURIComponent(datasourceUid)}/${path}`,
      searchParams: new URLSearchParams(params),
    },
    { maxRetries: 1, queued: false },
  )

/** The first line of an answer's body, bounded: enough to name an upstream error in one report line. */
export const firstLine = (text: string): string => {
  const line =
    text
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? ''
  return line.length > 300 ? `${line.slice(0, 300)}…` : line
}
