/**
 * Kubernetes simulator: the ScrapeConfig custom resource (monitoring.coreos.com/v1alpha1), driven
 * through the real client (@kubernetes/client-node CustomObjectsApi) as the scrapeconfig backend
 * will drive it: create, get, list by label selector, server-side apply (create when absent,
 * field ownership, conflicts, force), merge patch, replace, delete, and the apiserver's Status
 * bodies for 404, 409, 422 and 403.
 */
import { expect } from 'chai'
import { ApiException, AuthorizationV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node'
import { startKubeSimulator, type KubeSimulator } from '../../../dev/kube-simulator/index.js'

const NS = 'monitoring'
const SC = { group: 'monitoring.coreos.com', version: 'v1alpha1', plural: 'scrapeconfigs' } as const
type Obj = Record<string, unknown> & { metadata: Record<string, unknown>; spec?: Record<string, unknown> }

const scrapeConfig = (name: string, labels: Record<string, string> = {}, spec: Record<string, unknown> = {}): Obj => ({
  apiVersion: 'monitoring.coreos.com/v1alpha1',
  kind: 'ScrapeConfig',
  metadata: { name, labels },
  spec: {
    jobName: name,
    staticConfigs: [{ targets: ['10.10.10.4:30180'], labels: { serviceId: name } }],
    metricsPath: '/federate',
    params: { 'match[]': ['{namespace=~"NS_1"}'] },
    honorLabels: true,
    metricRelabelings: [{ action: 'replace', targetLabel: 'hypo_service_id', replacement: name }],
    ...spec,
  },
})

const status = (code: number, reason: string, message: string, details?: Record<string, unknown>) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message,
  reason,
  ...(details === undefined ? {} : { details }),
  code,
})
const about = (name: string) => ({ name, group: SC.group, kind: SC.plural })

/** The rejection's HTTP code and its parsed Status body (client-node keeps the body as text). */
const rejection = async (call: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> => {
  try {
    await call
  } catch (error) {
    if (!(error instanceof ApiException)) throw error
    return { code: error.code, body: JSON.parse(String(error.body)) as Record<string, unknown> }
  }
  throw new Error('expected the call to be rejected')
}

describe('Kubernetes simulator: ScrapeConfig custom resource', () => {
  let sim: KubeSimulator
  let api: CustomObjectsApi
  let forbiddenApi: CustomObjectsApi
  const clientFor = async (token?: string): Promise<CustomObjectsApi> => {
    const config = new KubeConfig()
    config.loadFromFile(await sim.writeKubeconfig(undefined, token === undefined ? {} : { token }))
    return config.makeApiClient(CustomObjectsApi)
  }
  const create = (body: Obj, namespace = NS) => api.createNamespacedCustomObject({ ...SC, namespace, body }) as Promise<Obj>
  const get = (name: string, namespace = NS) => api.getNamespacedCustomObject({ ...SC, namespace, name }) as Promise<Obj>
  const list = (labelSelector?: string) =>
    api.listNamespacedCustomObject({ ...SC, namespace: NS, ...(labelSelector === undefined ? {} : { labelSelector }) }) as Promise<{
      kind: string
      items: Obj[]
    }>
  const names = async (labelSelector: string) => (await list(labelSelector)).items.map((o) => o.metadata['name'])
  const apply = (body: Obj, fieldManager: string | null = 'telemetry-client', force?: boolean, namespace = NS) =>
    api.patchNamespacedCustomObjectWithHttpInfo(
      {
        ...SC,
        namespace,
        name: String(body.metadata['name']),
        body,
        ...(fieldManager === null ? {} : { fieldManager }),
        ...(force === undefined ? {} : { force }),
      },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    )
  const mergePatch = (name: string, body: unknown, fieldManager?: string) =>
    api.patchNamespacedCustomObject(
      { ...SC, namespace: NS, name, body, ...(fieldManager === undefined ? {} : { fieldManager }) },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    ) as Promise<Obj>
  const remove = (name: string, body?: Record<string, unknown>) =>
    api.deleteNamespacedCustomObject({ ...SC, namespace: NS, name, ...(body === undefined ? {} : { body }) })
  const rv = (o: Obj): string => String(o.metadata['resourceVersion'])

  before(async () => {
    sim = await startKubeSimulator({ forbiddenNamespaces: ['kube-system'], scrapeConfigNamespaces: [NS] })
    api = await clientFor()
    forbiddenApi = await clientFor(sim.forbiddenToken)
  })
  after(() => sim.stop())
  afterEach(async () => {
    for (const o of (await list()).items) await remove(String(o.metadata['name']))
  })

  it('create answers 201 with server-set metadata; get returns the same object; a second create is 409 AlreadyExists', async () => {
    const created = await api.createNamespacedCustomObjectWithHttpInfo({ ...SC, namespace: NS, body: scrapeConfig('svc-a-0', { release: 'prometheus' }) })
    expect(created.httpStatusCode).to.equal(201)
    const body = created.data as Obj
    expect(body).to.include({ apiVersion: 'monitoring.coreos.com/v1alpha1', kind: 'ScrapeConfig' })
    expect(body.metadata).to.include({ name: 'svc-a-0', namespace: NS, generation: 1 })
    expect(body.metadata['uid']).to.be.a('string')
    expect(rv(body)).to.match(/^\d+$/)
    expect(body.spec).to.deep.equal(scrapeConfig('svc-a-0').spec)
    expect(await get('svc-a-0')).to.deep.equal(body)
    expect(await rejection(create(scrapeConfig('svc-a-0')))).to.deep.equal({
      code: 409,
      body: status(409, 'AlreadyExists', 'scrapeconfigs.monitoring.coreos.com "svc-a-0" already exists', about('svc-a-0')),
    })
  })

  it('get of a missing object is 404 with the NotFound Status of the resource', async () => {
    expect(await rejection(get('nope'))).to.deep.equal({
      code: 404,
      body: status(404, 'NotFound', 'scrapeconfigs.monitoring.coreos.com "nope" not found', about('nope')),
    })
  })

  it('list filters by label selector: equality, inequality, in, notin, existence, and their conjunction', async () => {
    await create(scrapeConfig('a', { release: 'prometheus', tier: 'gold' }))
    await create(scrapeConfig('b', { release: 'prometheus', tier: 'silver' }))
    await create(scrapeConfig('c', { release: 'other' }))
    await create(scrapeConfig('d'))
    const all = await list()
    expect(all.kind).to.equal('ScrapeConfigList')
    expect(all.items.map((o) => o.metadata['name'])).to.deep.equal(['a', 'b', 'c', 'd'])
    expect(await names('release=prometheus')).to.deep.equal(['a', 'b'])
    expect(await names('release==other')).to.deep.equal(['c'])
    expect(await names('tier!=gold')).to.deep.equal(['b', 'c', 'd'])
    expect(await names('tier in (gold, silver)')).to.deep.equal(['a', 'b'])
    expect(await names('tier notin (gold)')).to.deep.equal(['b', 'c', 'd'])
    expect(await names('tier')).to.deep.equal(['a', 'b'])
    expect(await names('!tier')).to.deep.equal(['c', 'd'])
    expect(await names('release=prometheus,tier notin (silver)')).to.deep.equal(['a'])
    const bad = await rejection(list('tier in gold'))
    expect(bad.code).to.equal(400)
    expect(bad.body).to.include({ reason: 'BadRequest' })
  })

  it('list pages in name order (limit/continue) whatever order objects came and went in; remainingItemCount only without a selector', async () => {
    for (const name of ['e', 'a', 'g', 'b']) await create(scrapeConfig(name, { release: 'prometheus' }))
    await apply(scrapeConfig('c', { release: 'prometheus' }))
    await create(scrapeConfig('d'))
    await create(scrapeConfig('f', { release: 'prometheus' }))
    await remove('g')
    type Page = { items: Obj[]; metadata: { continue?: string; remainingItemCount?: number } }
    const page = async (limit: number, token?: string, labelSelector?: string) =>
      (await api.listNamespacedCustomObject({
        ...SC,
        namespace: NS,
        limit,
        ...(token === undefined ? {} : { _continue: token }),
        ...(labelSelector === undefined ? {} : { labelSelector }),
      })) as Page
    const walk = async (labelSelector?: string) => {
      const pages: Array<{ names: unknown[]; remaining: number | undefined }> = []
      let token: string | undefined
      do {
        const one = await page(2, token, labelSelector)
        pages.push({ names: one.items.map((o) => o.metadata['name']), remaining: one.metadata.remainingItemCount })
        token = one.metadata.continue === '' ? undefined : one.metadata.continue
      } while (token !== undefined)
      return pages
    }
    expect(await walk()).to.deep.equal([
      { names: ['a', 'b'], remaining: 4 },
      { names: ['c', 'd'], remaining: 2 },
      { names: ['e', 'f'], remaining: undefined },
    ])
    expect(await walk('release=prometheus')).to.deep.equal([
      { names: ['a', 'b'], remaining: undefined },
      { names: ['c', 'e'], remaining: undefined },
      { names: ['f'], remaining: undefined },
    ])
  })

  it('server-side apply creates when absent (201), is a no-op when repeated, and removes fields the manager stops applying', async () => {
    const first = await apply(scrapeConfig('svc-b-0', { release: 'prometheus', extra: 'x' }))
    expect(first.httpStatusCode).to.equal(201)
    const created = first.data as Obj
    const managed = created.metadata['managedFields'] as Array<Record<string, unknown>>
    expect(managed.map((m) => [m['manager'], m['operation']])).to.deep.equal([['telemetry-client', 'Apply']])
    const again = await apply(scrapeConfig('svc-b-0', { release: 'prometheus', extra: 'x' }))
    expect(again.httpStatusCode).to.equal(200)
    expect(rv(again.data as Obj)).to.equal(rv(created))
    const changed = (await apply(scrapeConfig('svc-b-0', { release: 'prometheus' }, { metricsPath: '/other' }))).data as Obj
    expect(Number(rv(changed))).to.be.greaterThan(Number(rv(created)))
    expect(changed.metadata['labels']).to.deep.equal({ release: 'prometheus' })
    expect(changed.metadata['generation']).to.equal(2)
    expect(changed.spec?.['metricsPath']).to.equal('/other')
  })

  it('apply on a field another manager set to another value is 409 FieldManagerConflict; force takes it over', async () => {
    await apply(scrapeConfig('svc-c-0'))
    const patched = await mergePatch('svc-c-0', { spec: { jobName: 'hijacked' } }, 'kubectl-edit')
    const time = (patched.metadata['managedFields'] as Array<Record<string, unknown>>).find((m) => m['manager'] === 'kubectl-edit')?.['time']
    const conflict = await rejection(apply(scrapeConfig('svc-c-0')))
    expect(conflict).to.deep.equal({
      code: 409,
      body: status(
        409,
        'Conflict',
        `Apply failed with 1 conflict: conflict with "kubectl-edit" using monitoring.coreos.com/v1alpha1 at ${String(time)}: .spec.jobName`,
        {
          causes: [
            {
              reason: 'FieldManagerConflict',
              message: `conflict with "kubectl-edit" using monitoring.coreos.com/v1alpha1 at ${String(time)}`,
              field: '.spec.jobName',
            },
          ],
        },
      ),
    })
    expect((await get('svc-c-0')).spec?.['jobName']).to.equal('hijacked')
    const forced = (await apply(scrapeConfig('svc-c-0'), 'telemetry-client', true)).data as Obj
    expect(forced.spec?.['jobName']).to.equal('svc-c-0')
    const twice = await mergePatch('svc-c-0', { spec: { metricsPath: '/m', jobName: 'again' } }, 'kubectl-edit')
    const at = String((twice.metadata['managedFields'] as Array<Record<string, unknown>>).find((m) => m['manager'] === 'kubectl-edit')?.['time'])
    const two = await rejection(apply(scrapeConfig('svc-c-0')))
    expect(two.body['message']).to.equal(
      `Apply failed with 2 conflicts: conflicts with "kubectl-edit" using monitoring.coreos.com/v1alpha1 at ${at}:\n- .spec.jobName\n- .spec.metricsPath`,
    )
    await apply(scrapeConfig('svc-c-0'), 'telemetry-client', true)
    // the same value owned by two managers is shared, not a conflict
    await mergePatch('svc-c-0', { metadata: { labels: { team: 'a' } } }, 'kubectl-edit')
    expect((await apply(scrapeConfig('svc-c-0'))).httpStatusCode).to.equal(200)
  })

  it('apply needs a fieldManager (422 PatchOptions) and an apply body must name the URL object (400)', async () => {
    expect(await rejection(apply(scrapeConfig('svc-d-0'), null))).to.deep.equal({
      code: 422,
      body: status(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch', {
        name: '',
        group: 'meta.k8s.io',
        kind: 'PatchOptions',
        causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }],
      }),
    })
    const mismatch = await rejection(
      api.patchNamespacedCustomObject(
        { ...SC, namespace: NS, name: 'x', body: scrapeConfig('y'), fieldManager: 'm' },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      ),
    )
    expect(mismatch).to.deep.equal({ code: 400, body: status(400, 'BadRequest', 'the name of the object (y) does not match the name on the URL (x)') })
    expect(await rejection(get('svc-d-0'))).to.have.property('code', 404)
  })

  it('merge patch changes fields; a stale resourceVersion in it is 409 Conflict; a missing object is 404', async () => {
    const created = await create(scrapeConfig('svc-e-0'))
    const patched = await mergePatch('svc-e-0', { metadata: { labels: { release: 'prometheus' } }, spec: { honorLabels: false } })
    expect(patched.metadata['labels']).to.deep.equal({ release: 'prometheus' })
    expect(patched.spec?.['honorLabels']).to.equal(false)
    const stale = await rejection(mergePatch('svc-e-0', { metadata: { resourceVersion: rv(created) }, spec: { metricsPath: '/x' } }))
    expect(stale).to.deep.equal({
      code: 409,
      body: status(
        409,
        'Conflict',
        'Operation cannot be fulfilled on scrapeconfigs.monitoring.coreos.com "svc-e-0": the object has been modified; please apply your changes to the latest version and try again',
        about('svc-e-0'),
      ),
    })
    expect((await get('svc-e-0')).spec?.['metricsPath']).to.equal('/federate')
    expect(await rejection(mergePatch('gone', { spec: {} }))).to.have.property('code', 404)
    const jsonPatch = (ops: unknown) =>
      api.patchNamespacedCustomObject(
        { ...SC, namespace: NS, name: 'svc-e-0', body: ops },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      ) as Promise<Obj>
    expect((await jsonPatch([{ op: 'replace', path: '/spec/metricsPath', value: '/j' }])).spec?.['metricsPath']).to.equal('/j')
    expect(await rejection(jsonPatch([{ op: 'test', path: '/spec/metricsPath', value: '/other' }]))).to.have.nested.property('body.reason', 'Invalid')
  })

  it('replace needs the current resourceVersion: stale is 409, absent is 422 (custom resources allow no unconditional update)', async () => {
    const created = await create(scrapeConfig('svc-f-0'))
    const replaced = (await api.replaceNamespacedCustomObject({
      ...SC,
      namespace: NS,
      name: 'svc-f-0',
      body: { ...created, spec: { ...created.spec, metricsPath: '/y' } },
    })) as Obj
    expect(replaced.spec?.['metricsPath']).to.equal('/y')
    expect(await rejection(api.replaceNamespacedCustomObject({ ...SC, namespace: NS, name: 'svc-f-0', body: created }))).to.have.nested.property(
      'body.reason',
      'Conflict',
    )
    const unconditional = await rejection(api.replaceNamespacedCustomObject({ ...SC, namespace: NS, name: 'svc-f-0', body: scrapeConfig('svc-f-0') }))
    expect(unconditional.code).to.equal(422)
    expect(unconditional.body['message']).to.equal(
      'ScrapeConfig.monitoring.coreos.com "svc-f-0" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
    )
  })

  it('delete answers a Success Status, honours preconditions (409) and is 404 the second time', async () => {
    const created = await create(scrapeConfig('svc-g-0'))
    const stale = await rejection(remove('svc-g-0', { preconditions: { resourceVersion: '1' } }))
    expect(stale.code).to.equal(409)
    expect(stale.body['message']).to.equal(
      `Operation cannot be fulfilled on scrapeconfigs.monitoring.coreos.com "svc-g-0": StorageError: invalid object, Code: 4, Key: /registry/monitoring.coreos.com/scrapeconfigs/monitoring/svc-g-0, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: ${rv(created)}`,
    )
    expect(await remove('svc-g-0', { preconditions: { uid: String(created.metadata['uid']) } })).to.deep.equal({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { ...about('svc-g-0'), uid: created.metadata['uid'] },
    })
    expect(sim.scrapeConfig(NS, 'svc-g-0')).to.equal(undefined)
    expect(await rejection(remove('svc-g-0'))).to.have.property('code', 404)
  })

  it('422 Invalid for a name that is no DNS-1123 subdomain or is longer than 253, and nothing is stored', async () => {
    const bad = await rejection(create(scrapeConfig('Bad_Name')))
    expect(bad.code).to.equal(422)
    expect(bad.body).to.deep.equal(
      status(
        422,
        'Invalid',
        `ScrapeConfig.monitoring.coreos.com "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
        {
          name: 'Bad_Name',
          group: SC.group,
          kind: 'ScrapeConfig',
          causes: [
            {
              reason: 'FieldValueInvalid',
              message: `Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
              field: 'metadata.name',
            },
          ],
        },
      ),
    )
    const long = await rejection(apply(scrapeConfig('a'.repeat(254))))
    expect(long.code).to.equal(422)
    expect(long.body['message']).to.contain('metadata.name: Invalid value').and.contain('must be no more than 253 characters')
    expect((await list()).items).to.deep.equal([])
  })

  it('422 Invalid for a spec the CRD schema refuses, with one cause per field', async () => {
    const bad = await rejection(
      apply(
        scrapeConfig(
          'svc-h-0',
          {},
          {
            jobName: 7,
            staticConfigs: [{ targets: ['10.0.0.1', 'host:9090'] }],
            metricsPath: '',
            params: { 'match[]': 'not-a-list' },
            honorLabels: 'yes',
            metricRelabelings: [{ action: 'rewrite', targetLabel: 'x' }],
          },
        ),
      ),
    )
    expect(bad.code).to.equal(422)
    expect(bad.body).to.include({ reason: 'Invalid' })
    const causes = (bad.body['details'] as { causes: Array<{ field: string; reason: string }> }).causes
    expect(causes.map((c) => [c.field, c.reason])).to.deep.equal([
      ['spec.jobName', 'FieldValueTypeInvalid'],
      ['spec.metricsPath', 'FieldValueInvalid'],
      ['spec.honorLabels', 'FieldValueTypeInvalid'],
      ['spec.params.match[]', 'FieldValueTypeInvalid'],
      ['spec.staticConfigs[0].targets[0]', 'FieldValueInvalid'],
      ['spec.metricRelabelings[0].action', 'FieldValueNotSupported'],
    ])
    expect(bad.body['message']).to.match(
      /^ScrapeConfig\.monitoring\.coreos\.com "svc-h-0" is invalid: \[spec\.jobName: Invalid value: "integer": spec\.jobName in body must be of type string: "integer", /,
    )
    expect(sim.scrapeConfig(NS, 'svc-h-0')).to.equal(undefined)
  })

  it('403 Forbidden outside the allowed namespace and for a token without rights, with the Status of the resource', async () => {
    const user = 'system:serviceaccount:telemetry:telemetry-client'
    expect(await rejection(get('svc-a-0', 'default'))).to.deep.equal({
      code: 403,
      body: status(
        403,
        'Forbidden',
        `scrapeconfigs.monitoring.coreos.com "svc-a-0" is forbidden: User "${user}" cannot get resource "scrapeconfigs" in API group "monitoring.coreos.com" in the namespace "default"`,
        about('svc-a-0'),
      ),
    })
    expect(await rejection(create(scrapeConfig('x'), 'default'))).to.deep.equal({
      code: 403,
      body: status(
        403,
        'Forbidden',
        `scrapeconfigs.monitoring.coreos.com is forbidden: User "${user}" cannot create resource "scrapeconfigs" in API group "monitoring.coreos.com" in the namespace "default"`,
        { group: SC.group, kind: SC.plural },
      ),
    })
    expect(await rejection(apply(scrapeConfig('x'), 'm', undefined, 'kube-system')))
      .to.have.nested.property('body.message')
      .that.contains('cannot patch resource "scrapeconfigs"')
    const denied = await rejection(forbiddenApi.listNamespacedCustomObject({ ...SC, namespace: NS }))
    expect(denied.code).to.equal(403)
    expect(denied.body['message']).to.contain('cannot list resource "scrapeconfigs"')
    expect(sim.requests.get('scrapeconfig.list')).to.be.greaterThan(0)
  })

  it('SelfSubjectAccessReview answers for scrapeconfigs as the RBAC above decides (allowed namespace only)', async () => {
    const config = new KubeConfig()
    config.loadFromFile(await sim.writeKubeconfig())
    const auth = config.makeApiClient(AuthorizationV1Api)
    const ask = async (namespace: string, verb: string) =>
      (
        await auth.createSelfSubjectAccessReview({
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SelfSubjectAccessReview',
            spec: { resourceAttributes: { group: SC.group, resource: SC.plural, namespace, verb } },
          },
        })
      ).status?.allowed
    expect(await ask(NS, 'patch')).to.equal(true)
    expect(await ask(NS, 'delete')).to.equal(true)
    expect(await ask('default', 'patch')).to.equal(false)
  })

  it('scrapeConfigCrd: false is an apiserver without the CRD: every ScrapeConfig endpoint is 404 for the unknown path, Secrets still work', async () => {
    const bare = await startKubeSimulator({ scrapeConfigCrd: false })
    try {
      const config = new KubeConfig()
      config.loadFromFile(await bare.writeKubeconfig())
      const custom = config.makeApiClient(CustomObjectsApi)
      const notServed = status(404, 'NotFound', 'the server could not find the requested resource', {})
      expect(await rejection(custom.listNamespacedCustomObject({ ...SC, namespace: NS }))).to.deep.equal({ code: 404, body: notServed })
      expect(await rejection(custom.getNamespacedCustomObject({ ...SC, namespace: NS, name: 'x' }))).to.deep.equal({ code: 404, body: notServed })
      expect((await rejection(custom.createNamespacedCustomObject({ ...SC, namespace: NS, body: scrapeConfig('x') }))).code).to.equal(404)
      bare.setSecret(NS, 's', { k: 'v' })
      expect(bare.secret(NS, 's')?.data).to.deep.equal({ k: 'v' })
    } finally {
      await bare.stop()
    }
  })
})
