/**
 * Grafana simulator contract, the parts added for operators: serving under a sub-path
 * (`serve_from_sub_path`: routes only under it, links that carry it) and
 * `GET /api/datasources/uid/:uid` (200 with the datasource, 404 "Data source not found", 401
 * without credentials).
 */
import { expect } from 'chai'
import { startGrafanaSimulator, type GrafanaSimulator } from '../../../dev/grafana-simulator/server.js'

describe('Grafana simulator: sub-path and datasources', () => {
  let sim: GrafanaSimulator
  let root: GrafanaSimulator
  before(async () => {
    sim = await startGrafanaSimulator({ subPath: '/grafana/' })
    root = await startGrafanaSimulator({ datasources: [{ uid: 'prom-eu', name: 'Prometheus EU', type: 'prometheus' }] })
  })
  after(async () => {
    await sim.stop()
    await root.stop()
  })

  const call = async (target: GrafanaSimulator, method: string, path: string, body?: unknown, auth: string | null = `Bearer ${target.token}`) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(auth === null ? {} : { authorization: auth }) }
    const response = await fetch(`${target.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> }
  }

  it('serves under the sub-path only and returns links that carry it', async () => {
    expect(sim.url).to.match(/:\d+\/grafana$/)
    expect((await call(sim, 'GET', '/api/health')).status).to.equal(200)
    const outside = await fetch(`${sim.url.replace(/\/grafana$/, '')}/api/health`)
    expect(outside.status).to.equal(404)
    await call(sim, 'POST', '/api/folders', { uid: 'f1', title: 'F1' })
    const saved = await call(sim, 'POST', '/api/dashboards/db', { dashboard: { id: null, uid: 'd1', title: 'Dash One' }, folderUid: 'f1', overwrite: true })
    expect(saved.status).to.equal(200)
    expect(saved.body['url']).to.equal('/grafana/d/d1/dash-one')
    const got = await call(sim, 'GET', '/api/dashboards/uid/d1')
    expect((got.body['meta'] as Record<string, unknown>)['url']).to.equal('/grafana/d/d1/dash-one')
    expect((got.body['dashboard'] as Record<string, unknown>)['title']).to.equal('Dash One')
    // the store keeps root-relative paths, as Grafana's database does
    expect(sim.dashboards().find((d) => d.uid === 'd1')?.url).to.equal('/d/d1/dash-one')
  })

  it('GET /api/datasources/uid/:uid finds a configured datasource, 404s an unknown one, 401s without credentials', async () => {
    const found = await call(root, 'GET', '/api/datasources/uid/prom-eu')
    expect(found.status).to.equal(200)
    expect(found.body).to.include({ uid: 'prom-eu', name: 'Prometheus EU', type: 'prometheus', access: 'proxy' })
    const missing = await call(root, 'GET', '/api/datasources/uid/loki')
    expect(missing).to.deep.equal({ status: 404, body: { message: 'Data source not found' } })
    expect((await call(root, 'GET', '/api/datasources/uid/prom-eu', undefined, null)).status).to.equal(401)
    expect((await call(sim, 'GET', '/api/datasources/uid/loki')).body).to.include({ uid: 'loki', type: 'loki' })
    expect(root.requests.get('datasource.get')).to.equal(3)
  })
})
