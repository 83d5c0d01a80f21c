/**
 * `GET /api/datasources/uid/:uid` of Grafana's legacy API: the datasource with that uid, or 404
 * `{"message":"Data source not found"}`. The simulator's datasources are fixed at start-up
 * (option `datasources`); by default the two uids the service's dashboards use by default.
 */
import { failure, reply, type Reply } from './reply.js'

export interface DatasourceSpec {
  readonly uid: string
  readonly name: string
  readonly type: string
  /** where the data source proxy forwards to (a real Prometheus); unset: a made-up address (Loki: a stand-in, datasource-proxy.ts) */
  readonly url?: string
}

export const DEFAULT_DATASOURCES: readonly DatasourceSpec[] = [
  { uid: 'prometheus', name: 'Prometheus', type: 'prometheus' },
  { uid: 'loki', name: 'Loki', type: 'loki' },
]

export const getDatasource = (datasources: readonly DatasourceSpec[], uid: string): Reply => {
  const index = datasources.findIndex((d) => d.uid === uid)
  const found = datasources[index]
  if (found === undefined) return failure(404, 'Data source not found')
  return reply(200, {
    id: index + 1,
    uid: found.uid,
    orgId: 1,
    name: found.name,
    type: found.type,
    typeLogoUrl: `public/app/plugins/datasource/${found.type}/img/logo.svg`,
    access: 'proxy',
    url: found.url ?? `http://${found.type}.simulated:${found.type === 'loki' ? 3100 : 9090}`,
    user: '',
    database: '',
    basicAuth: false,
    isDefault: index === 0,
    jsonData: {},
    readOnly: false,
  })
}
