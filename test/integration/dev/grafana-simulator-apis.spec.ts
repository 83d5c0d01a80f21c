/**
 * The simulator's `/apis` against the shapes Grafana documents (developer-resources/api-reference
 * http-api: dashboard, folder, apis overview) and its API server (Kubernetes' apiserver library):
 * discovery documents, resources with metadata/spec, `Status` errors with reason, code and details,
 * create/update/delete rules, `labelSelector`, paging, and one store behind both APIs. Every body
 * is also decoded with the service's own codecs (src/codecs/apis/grafana-apis.ts).
 */
import { expect } from 'chai'
import { isRight } from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { GRAFANA_12 } from '../../../dev/grafana-simulator/apis-discovery.js'
import { startGrafanaSimulator, type GrafanaSimulator } from '../../../dev/grafana-simulator/server.js'
import { APIGroupList, DashboardList, DashboardResource, FolderResource, KubeStatus } from '../../../src/codecs/apis/grafana-apis.js'

const D = '/apis/dashboard.grafana.app/v1/namespaces/default/dashboards'
const F = '/apis/folder.grafana.app/v1/namespaces/default/folders'

interface Answer {
  status: number
  body: Record<string, unknown>
}

const decodes = <A>(codec: t.Decoder<unknown, A>, body: unknown): A => {
  const decoded = codec.decode(body)
  if (!isRight(decoded)) throw new Error(`does not decode as ${codec.name}: ${JSON.stringify(body).slice(0, 300)}`)
  return decoded.right
}

describe('Grafana simulator: /apis (HTTP contract)', () => {
  let sim: GrafanaSimulator
  before(async () => {
    sim = await startGrafanaSimulator()
  })
  after(async () => {
    await sim.stop()
  })
  afterEach(() => {
    sim.faults.clear()
  })

  const call = async (method: string, path: string, body?: unknown, target: GrafanaSimulator = sim, auth = true): Promise<Answer> => {
    const response = await fetch(`${target.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${target.token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await response.text()
    return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) }
  }
  const dashboard = (name: string, folder: string | undefined, labels: Record<string, string> = {}) => ({
    apiVersion: 'dashboard.grafana.app/v1',
    kind: 'Dashboard',
    metadata: { name, labels, annotations: folder === undefined ? {} : { 'grafana.app/folder': folder } },
    spec: { title: `Board ${name}`, tags: ['t'], panels: [], schemaVersion: 41 },
  })
  const status = (answer: Answer, code: number, reason: string) => {
    expect(answer.status).to.equal(code)
    expect(answer.body).to.include({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason })
    return decodes(KubeStatus, answer.body)
  }

  it('discovery: GET /apis is an APIGroupList, GET /apis/<group> an APIGroup, both with preferredVersion', async () => {
    const list = await call('GET', '/apis')
    expect(list.status).to.equal(200)
    expect(list.body).to.include({ kind: 'APIGroupList', apiVersion: 'v1' })
    const groups = decodes(APIGroupList, list.body).groups
    expect(groups.find((g) => g.name === 'dashboard.grafana.app')).to.deep.include({
      preferredVersion: { groupVersion: 'dashboard.grafana.app/v1', version: 'v1' },
    })
    const group = await call('GET', '/apis/folder.grafana.app')
    expect(group.body).to.deep.include({ kind: 'APIGroup', name: 'folder.grafana.app' })
    expect(group.body['versions']).to.deep.equal([
      { groupVersion: 'folder.grafana.app/v1', version: 'v1' },
      { groupVersion: 'folder.grafana.app/v1beta1', version: 'v1beta1' },
    ])
    status(await call('GET', '/apis/nothing.grafana.app'), 404, 'NotFound')
  })

  it('a Grafana 12 serves v1beta1 only; a Grafana 11 no /apis at all; both need credentials', async () => {
    const g12 = await startGrafanaSimulator({ apis: GRAFANA_12 })
    const g11 = await startGrafanaSimulator({ apis: false })
    try {
      expect((await call('GET', '/apis', undefined, g12)).body['groups']).to.deep.include({
        name: 'dashboard.grafana.app',
        versions: [{ groupVersion: 'dashboard.grafana.app/v1beta1', version: 'v1beta1' }],
        preferredVersion: { groupVersion: 'dashboard.grafana.app/v1beta1', version: 'v1beta1' },
      })
      status(await call('GET', D, undefined, g12), 404, 'NotFound')
      expect((await call('GET', D.replace('/v1/', '/v1beta1/'), undefined, g12)).status).to.equal(200)
      status(await call('GET', '/apis', undefined, g11), 404, 'NotFound')
      status(await call('GET', D, undefined, sim, false), 401, 'Unauthorized')
    } finally {
      await g12.stop()
      await g11.stop()
    }
  })

  it('folders: create (201) with metadata.name = uid, 409 AlreadyExists, get, 404 NotFound naming the folder', async () => {
    const created = await call('POST', F, { metadata: { name: 'contract-f' }, spec: { title: 'Contract F' } })
    expect(created.status).to.equal(201)
    const folder = decodes(FolderResource, created.body)
    expect(created.body).to.include({ kind: 'Folder', apiVersion: 'folder.grafana.app/v1' })
    expect(folder.metadata).to.include({ name: 'contract-f', namespace: 'default' })
    expect(folder.metadata.labels).to.have.property('grafana.app/deprecatedInternalID')
    expect(status(await call('POST', F, { metadata: { name: 'contract-f' }, spec: { title: 'Other' } }), 409, 'AlreadyExists').details).to.include({
      name: 'contract-f',
      group: 'folder.grafana.app',
      kind: 'folders',
    })
    expect((await call('GET', `${F}/contract-f`)).body['spec']).to.deep.equal({ title: 'Contract F' })
    expect(status(await call('GET', `${F}/absent-f`), 404, 'NotFound').details).to.include({ name: 'absent-f' })
  })

  it('dashboards: create, get, stale update 409 Conflict, update with the read resourceVersion, delete answers a Status', async () => {
    await call('POST', F, { metadata: { name: 'contract-d' }, spec: { title: 'Contract D' } })
    const created = await call('POST', D, dashboard('contract-1', 'contract-d', { team: 'a' }))
    expect(created.status).to.equal(201)
    const resource = decodes(DashboardResource, created.body)
    expect(created.body).to.include({ kind: 'Dashboard', apiVersion: 'dashboard.grafana.app/v1' })
    expect(resource.metadata).to.include({ name: 'contract-1', namespace: 'default', generation: 1 })
    expect(resource.metadata.annotations).to.include({ 'grafana.app/folder': 'contract-d' }).and.have.property('grafana.app/updatedTimestamp')
    expect(resource.metadata.labels).to.include({ team: 'a' }).and.have.property('grafana.app/deprecatedInternalID')
    expect(resource.spec).to.include({ title: 'Board contract-1' }).and.not.have.property('id')

    expect(status(await call('POST', D, dashboard('contract-1', 'contract-d')), 409, 'AlreadyExists').details).to.include({
      name: 'contract-1',
      kind: 'dashboards',
    })
    status(await call('POST', D, { ...dashboard('contract-2', undefined), metadata: { name: 'contract-2', resourceVersion: '1' } }), 400, 'BadRequest')
    status(await call('POST', D, dashboard('contract-3', 'no-such-folder')), 400, 'BadRequest')

    const read = decodes(DashboardResource, (await call('GET', `${D}/contract-1`)).body)
    const update = { ...dashboard('contract-1', 'contract-d'), metadata: { ...read.metadata, labels: { team: 'b' } } }
    const updated = await call('PUT', `${D}/contract-1`, update)
    expect(updated.status).to.equal(200)
    expect(decodes(DashboardResource, updated.body).metadata).to.include({ generation: 2 })
    status(await call('PUT', `${D}/contract-1`, update), 409, 'Conflict')

    const gone = await call('DELETE', `${D}/contract-1`)
    expect(gone.status).to.equal(200)
    expect(gone.body).to.deep.include({ kind: 'Status', status: 'Success' })
    expect(status(await call('GET', `${D}/contract-1`), 404, 'NotFound').details).to.include({ name: 'contract-1' })
    status(await call('DELETE', `${D}/contract-1`), 404, 'NotFound')
  })

  it('lists by labelSelector (=, ==, !=, in, notin) and pages with limit/continue until no continue is left', async () => {
    for (const [name, team] of [
      ['page-a', 'x'],
      ['page-b', 'x'],
      ['page-c', 'y'],
      ['page-d', 'x'],
    ] as const) {
      expect((await call('POST', D, dashboard(name, undefined, { suite: 'paging', team }))).status).to.equal(201)
    }
    const names = async (selector: string) =>
      decodes(DashboardList, (await call('GET', `${D}?labelSelector=${encodeURIComponent(selector)}`)).body).items.map((i) => i.metadata.name)
    expect(await names('suite=paging,team=x')).to.deep.equal(['page-a', 'page-b', 'page-d'])
    expect(await names('suite==paging,team!=x')).to.deep.equal(['page-c'])
    expect(await names('suite=paging,team in (y)')).to.deep.equal(['page-c'])
    expect(await names('suite=paging,team notin (y)')).to.deep.equal(['page-a', 'page-b', 'page-d'])
    status(await call('GET', `${D}?labelSelector=${encodeURIComponent('team in x')}`), 400, 'BadRequest')

    const seen: string[] = []
    let token = ''
    for (let page = 0; page < 10; page++) {
      const answer = await call('GET', `${D}?labelSelector=suite%3Dpaging&limit=3${token === '' ? '' : `&continue=${token}`}`)
      expect(answer.body).to.include({ kind: 'DashboardList' })
      const list = decodes(DashboardList, answer.body)
      seen.push(...list.items.map((i) => i.metadata.name))
      token = list.metadata?.continue ?? ''
      if (token === '') break
    }
    expect(seen).to.deep.equal(['page-a', 'page-b', 'page-c', 'page-d'])
  })

  it('one store behind both APIs: a legacy save shows in /apis (a new resourceVersion) and the other way round', async () => {
    const legacy = await call('POST', '/api/dashboards/db', { dashboard: { uid: 'both-1', title: 'Both', tags: [] }, overwrite: true })
    expect(legacy.status).to.equal(200)
    const first = decodes(DashboardResource, (await call('GET', `${D}/both-1`)).body)
    expect(first.spec).to.include({ title: 'Both' })
    await call('POST', '/api/dashboards/db', { dashboard: { uid: 'both-1', title: 'Both again', tags: [] }, overwrite: true })
    const second = decodes(DashboardResource, (await call('GET', `${D}/both-1`)).body)
    expect(second.metadata.resourceVersion).to.not.equal(first.metadata.resourceVersion)
    await call('POST', D, dashboard('both-2', undefined))
    expect((await call('GET', '/api/dashboards/uid/both-2')).body['dashboard']).to.include({ uid: 'both-2', title: 'Board both-2' })
  })

  it('faults on /apis routes answer Status bodies; the legacy routes can be switched off (404) while health and datasources stay', async () => {
    sim.faults.add({ kind: 'dashboard.get', effect: { type: 'status', status: 503 }, times: 1 })
    status(await call('GET', `${D}/anything`), 503, 'ServiceUnavailable')
    sim.faults.add({ kind: 'search', effect: { type: 'status', status: 429, retryAfterSeconds: 2 }, times: 1 })
    status(await call('GET', D), 429, 'TooManyRequests')
    sim.setLegacyRoutes(false)
    try {
      expect((await call('GET', '/api/dashboards/uid/both-2')).status).to.equal(404)
      expect((await call('POST', '/api/folders', { uid: 'x', title: 'X' })).status).to.equal(404)
      expect((await call('GET', '/api/search?tag=t')).status).to.equal(404)
      expect((await call('GET', '/api/health')).status).to.equal(200)
      expect((await call('GET', '/api/datasources/uid/prometheus')).status).to.equal(200)
      expect((await call('GET', `${D}/both-2`)).status).to.equal(200)
    } finally {
      sim.setLegacyRoutes(true)
    }
  })
})
