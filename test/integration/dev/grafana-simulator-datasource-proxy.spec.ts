/**
 * Grafana simulator contract: the data source proxy, `/api/datasources/proxy/uid/:uid/*`, as
 * Grafana's datasource proxy service answers — 401 without credentials, 400 `UID is invalid`,
 * 404 `Unable to find datasource`, the upstream's answer as is (path after the uid and query
 * string passed on), 502 with an empty body when the upstream cannot be reached — and the Loki
 * stand-in for a Loki datasource without a URL (LogQL checked by Loki's grammar: 400 plain text).
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { expect } from 'chai'
import { freePort } from '../../../dev/free-port.js'
import { startGrafanaSimulator, type GrafanaSimulator } from '../../../dev/grafana-simulator/server.js'

describe('Grafana simulator: the data source proxy', () => {
  let sim: GrafanaSimulator
  let upstream: Server
  before(async () => {
    upstream = createServer((req, res) => {
      res.writeHead(207, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ method: req.method, url: req.url, authorization: req.headers.authorization ?? null }))
    })
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()))
    const closedPort = await freePort()
    sim = await startGrafanaSimulator({
      datasources: [
        { uid: 'prom', name: 'Prometheus', type: 'prometheus', url: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/prefix` },
        { uid: 'gone', name: 'Gone', type: 'prometheus', url: `http://127.0.0.1:${closedPort}` },
        { uid: 'made-up', name: 'Made up', type: 'prometheus' },
        { uid: 'loki', name: 'Loki', type: 'loki' },
      ],
    })
  })
  after(async () => {
    await sim.stop()
    await new Promise<void>((resolve) => upstream.close(() => resolve()))
  })

  const get = async (path: string, auth: string | null = `Bearer ${sim.token}`) => {
    const response = await fetch(`${sim.url}${path}`, { headers: auth === null ? {} : { authorization: auth } })
    return { status: response.status, text: await response.text(), type: response.headers.get('content-type') ?? '' }
  }

  it("forwards the path after the uid and the query string to the datasource URL, without the caller's credentials, and answers as it did", async () => {
    const answer = await get('/api/datasources/proxy/uid/prom/api/v1/query?query=up%7Bjob%3D%22a%22%7D')
    expect(answer.status).to.equal(207)
    expect(JSON.parse(answer.text)).to.deep.equal({ method: 'GET', url: '/prefix/api/v1/query?query=up%7Bjob%3D%22a%22%7D', authorization: null })
    expect(sim.requests.get('datasource.proxy')).to.be.greaterThan(0)
  })

  it('refuses as Grafana does: 401 without credentials, 400 for an invalid uid, 404 for an unknown one, 502 when the upstream is unreachable', async () => {
    expect((await get('/api/datasources/proxy/uid/prom/api/v1/query', null)).status).to.equal(401)
    expect(await get('/api/datasources/proxy/uid/bad.uid/api/v1/query')).to.include({ status: 400, text: '{"message":"UID is invalid"}' })
    expect(await get('/api/datasources/proxy/uid/nope/api/v1/query')).to.include({ status: 404, text: '{"message":"Unable to find datasource"}' })
    expect(await get('/api/datasources/proxy/uid/gone/api/v1/query?query=up')).to.include({ status: 502, text: '' })
    expect(await get('/api/datasources/proxy/uid/made-up/api/v1/query?query=up')).to.include({ status: 502, text: '' })
  })

  it("the Loki stand-in: a valid LogQL query gets an empty stream result, an invalid one Loki's 400 with a plain-text parse error", async () => {
    const ok = await get(
      `/api/datasources/proxy/uid/loki/loki/api/v1/query_range?${new URLSearchParams({ query: '{namespace=~"a|b",cluster="x"}', limit: '1' }).toString()}`,
    )
    expect(ok.status).to.equal(200)
    expect(JSON.parse(ok.text)).to.deep.equal({ status: 'success', data: { resultType: 'streams', result: [], stats: {} } })
    const bad = await get(`/api/datasources/proxy/uid/loki/loki/api/v1/query_range?${new URLSearchParams({ query: '{namespace=~"a"' }).toString()}`)
    expect(bad.status).to.equal(400)
    expect(bad.type).to.match(/^text\/plain/)
    expect(bad.text).to.match(/^parse error at line 1, col \d+: syntax error/)
    expect((await get('/api/datasources/proxy/uid/loki/loki/api/v1/labels')).status).to.equal(404)
  })
})
