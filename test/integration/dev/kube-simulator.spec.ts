import { expect } from 'chai'
import { startKubeSimulator, type KubeSimulator } from '../../../dev/kube-simulator/index.js'

const NS = 'monitoring'
const NAME = 'additional-scrape-configs'
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64')

/** A failure `metav1.Status`: the envelope every apiserver error body shares, around what the case is about. */
const failureStatus = (fields: { message: string; reason: string; details?: Record<string, unknown>; code: number }) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  ...fields,
})

const conflictBody = (name: string) =>
  failureStatus({
    message: `Operation cannot be fulfilled on secrets "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    reason: 'Conflict',
    details: { name, kind: 'secrets' },
    code: 409,
  })

describe('kube simulator (Secret contract over HTTP)', () => {
  let sim: KubeSimulator
  let path: string

  before(async () => {
    sim = await startKubeSimulator({ forbiddenNamespaces: ['kube-system'] })
    path = `${sim.url}/api/v1/namespaces/${NS}/secrets/${NAME}`
  })
  after(() => sim.stop())
  beforeEach(() => {
    sim.faults.clear()
    sim.setSecret(NS, NAME, { 'prometheus-additional.yaml': '[]\n', other: 'keep me' })
  })

  const call = (method: string, body?: unknown, contentType = 'application/json', url = path, token = sim.token) =>
    fetch(url, {
      method,
      headers: {
        ...(token === '' ? {} : { Authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'Content-Type': contentType }),
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    })
  const json = async (res: Response): Promise<Record<string, unknown>> => (await res.json()) as Record<string, unknown>
  const current = () => {
    const s = sim.secret(NS, NAME)
    if (s === undefined) throw new Error('secret missing')
    return s
  }

  it('GET returns the Secret with base64 data and an opaque numeric resourceVersion', async () => {
    const res = await call('GET')
    expect(res.status).to.equal(200)
    const body = await json(res)
    expect(body).to.include({ apiVersion: 'v1', kind: 'Secret', type: 'Opaque' })
    expect(body.data).to.deep.equal({ 'prometheus-additional.yaml': b64('[]\n'), other: b64('keep me') })
    const metadata = body.metadata as Record<string, unknown>
    expect(metadata).to.include({ name: NAME, namespace: NS, resourceVersion: current().resourceVersion })
    expect(metadata.resourceVersion).to.match(/^\d+$/)
    expect(metadata.uid).to.be.a('string')
    expect(metadata.creationTimestamp).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
  })

  it('404 NotFound Status for a missing secret', async () => {
    const res = await call('GET', undefined, undefined, `${sim.url}/api/v1/namespaces/${NS}/secrets/nope`)
    expect(res.status).to.equal(404)
    expect(await json(res)).to.deep.equal(
      failureStatus({
        message: 'secrets "nope" not found',
        reason: 'NotFound',
        details: { name: 'nope', kind: 'secrets' },
        code: 404,
      }),
    )
  })

  it('404 for an unknown path', async () => {
    const res = await call('GET', undefined, undefined, `${sim.url}/api/v1/namespaces/${NS}/configmaps/x`)
    expect(res.status).to.equal(404)
    expect(await json(res)).to.include({ reason: 'NotFound', message: 'the server could not find the requested resource' })
  })

  it('PUT with the current resourceVersion writes and bumps it; a stale one is 409 Conflict', async () => {
    const rv = current().resourceVersion
    const body = { apiVersion: 'v1', kind: 'Secret', metadata: { name: NAME, resourceVersion: rv }, data: { k: b64('v1') } }
    const ok = await call('PUT', body)
    expect(ok.status).to.equal(200)
    const written = await json(ok)
    const newRv = (written.metadata as Record<string, string>).resourceVersion
    expect(Number(newRv)).to.be.greaterThan(Number(rv))
    expect(current()).to.deep.equal({ data: { k: 'v1' }, resourceVersion: newRv })

    const before = sim.successfulWrites
    const stale = await call('PUT', { ...body, data: { k: b64('v2') } })
    expect(stale.status).to.equal(409)
    expect(await json(stale)).to.deep.equal(conflictBody(NAME))
    expect(current().data).to.deep.equal({ k: 'v1' })
    expect(sim.successfulWrites).to.equal(before)
  })

  it('PUT without resourceVersion overwrites unconditionally; stringData is merged into data', async () => {
    const res = await call('PUT', { metadata: { name: NAME }, data: { a: b64('x') }, stringData: { b: 'plain' } })
    expect(res.status).to.equal(200)
    expect(current().data).to.deep.equal({ a: 'x', b: 'plain' })
  })

  it('PUT rejects a name mismatch (400), bad base64 (400), a bad key (422), a missing secret (404), a non-JSON type (415)', async () => {
    const mismatch = await call('PUT', { metadata: { name: 'other' }, data: {} })
    expect(mismatch.status).to.equal(400)
    expect(await json(mismatch)).to.include({ reason: 'BadRequest', message: `the name of the object (other) does not match the name on the URL (${NAME})` })
    const badB64 = await call('PUT', { metadata: { name: NAME }, data: { k: 'not base64!' } })
    expect(badB64.status).to.equal(400)
    expect((await json(badB64)).message).to.match(/cannot be handled as a Secret: illegal base64 data at input byte/)
    const badKey = await call('PUT', { metadata: { name: NAME }, data: { 'bad key': b64('x') } })
    expect(badKey.status).to.equal(422)
    expect(await json(badKey)).to.include({ reason: 'Invalid' })
    const missing = await call('PUT', { metadata: { name: 'gone' } }, undefined, `${sim.url}/api/v1/namespaces/${NS}/secrets/gone`)
    expect(missing.status).to.equal(404)
    const text = await call('PUT', 'x', 'text/plain')
    expect(text.status).to.equal(415)
    expect(await json(text)).to.include({ reason: 'UnsupportedMediaType', code: 415 })
  })

  it('PUT over 1 MiB of data (all keys together) is 422 "Too long" in the apiserver wording and writes nothing; exactly 1 MiB is accepted', async () => {
    const before = current()
    const half = 'x'.repeat(512 * 1024)
    const tooLong = await call('PUT', { metadata: { name: NAME }, data: { a: b64(half), b: b64(`${half}y`) } })
    expect(tooLong.status).to.equal(422)
    expect(await json(tooLong)).to.deep.equal(
      failureStatus({
        message: `Secret "${NAME}" is invalid: data: Too long: must have at most 1048576 bytes`,
        reason: 'Invalid',
        details: { name: NAME, kind: 'Secret', causes: [{ reason: 'FieldValueTooLong', message: 'Too long: must have at most 1048576 bytes', field: 'data' }] },
        code: 422,
      }),
    )
    expect(current()).to.deep.equal(before)
    expect((await call('PUT', { metadata: { name: NAME }, data: { a: b64(half), b: b64(half) } })).status).to.equal(200)
  })

  it('merge patch and strategic merge patch change only the given keys; null deletes', async () => {
    const merge = await call('PATCH', { data: { other: null, k: b64('m') } }, 'application/merge-patch+json')
    expect(merge.status).to.equal(200)
    expect(current().data).to.deep.equal({ 'prometheus-additional.yaml': '[]\n', k: 'm' })
    const strategic = await call('PATCH', { stringData: { s: 'smp' } }, 'application/strategic-merge-patch+json')
    expect(strategic.status).to.equal(200)
    expect(current().data).to.include({ s: 'smp', k: 'm' })
  })

  it('a resourceVersion in a merge patch is a precondition (409 when stale)', async () => {
    const res = await call('PATCH', { metadata: { resourceVersion: '1' }, data: { k: b64('x') } }, 'application/merge-patch+json')
    expect(res.status).to.equal(409)
    expect(await json(res)).to.deep.equal(conflictBody(NAME))
  })

  it('json patch: test + replace/add/remove succeed; a failed test is 422 Invalid and writes nothing', async () => {
    const rv = current().resourceVersion
    const ok = await call(
      'PATCH',
      [
        { op: 'test', path: '/metadata/resourceVersion', value: rv },
        { op: 'replace', path: '/data/other', value: b64('replaced') },
        { op: 'add', path: '/data/new', value: b64('added') },
        { op: 'remove', path: '/data/prometheus-additional.yaml' },
      ],
      'application/json-patch+json',
    )
    expect(ok.status).to.equal(200)
    expect(current().data).to.deep.equal({ other: 'replaced', new: 'added' })

    const before = current()
    const failed = await call(
      'PATCH',
      [
        { op: 'test', path: '/metadata/resourceVersion', value: rv },
        { op: 'replace', path: '/data/other', value: b64('late') },
      ],
      'application/json-patch+json',
    )
    expect(failed.status).to.equal(422)
    expect(await json(failed)).to.deep.equal(
      failureStatus({
        message: 'the server rejected our request due to an error in our request',
        reason: 'Invalid',
        details: { causes: [{ reason: 'UnexpectedServerResponse', message: 'testing value /metadata/resourceVersion failed: test failed' }] },
        code: 422,
      }),
    )
    expect(current()).to.deep.equal(before)
  })

  it('415 UnsupportedMediaType for a PATCH with another content type', async () => {
    const res = await call('PATCH', { data: {} }, 'application/json')
    expect(res.status).to.equal(415)
    expect(await json(res)).to.deep.equal(
      failureStatus({
        message:
          'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json',
        reason: 'UnsupportedMediaType',
        code: 415,
      }),
    )
  })

  it('POST creates (201) and answers 409 AlreadyExists the second time; DELETE removes', async () => {
    const collection = `${sim.url}/api/v1/namespaces/${NS}/secrets`
    const body = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'fresh' }, stringData: { a: 'b' } }
    const created = await call('POST', body, undefined, collection)
    expect(created.status).to.equal(201)
    expect(sim.secret(NS, 'fresh')?.data).to.deep.equal({ a: 'b' })
    const again = await call('POST', body, undefined, collection)
    expect(again.status).to.equal(409)
    expect(await json(again)).to.include({ reason: 'AlreadyExists', message: 'secrets "fresh" already exists' })
    const deleted = await call('DELETE', undefined, undefined, `${collection}/fresh`)
    expect(deleted.status).to.equal(200)
    expect(await json(deleted)).to.include({ kind: 'Status', status: 'Success' })
    expect(sim.secret(NS, 'fresh')).to.equal(undefined)
  })

  it('401 without or with a wrong token', async () => {
    const expected = failureStatus({ message: 'Unauthorized', reason: 'Unauthorized', code: 401 })
    const none = await call('GET', undefined, undefined, path, '')
    expect(none.status).to.equal(401)
    expect(await json(none)).to.deep.equal(expected)
    const wrong = await call('GET', undefined, undefined, path, 'nope')
    expect(wrong.status).to.equal(401)
    expect(await json(wrong)).to.deep.equal(expected)
  })

  it('403 Forbidden in the apiserver wording, for the no-rights token and forbidden namespaces', async () => {
    const res = await call('PUT', { metadata: { name: NAME } }, undefined, path, sim.forbiddenToken)
    expect(res.status).to.equal(403)
    expect(await json(res)).to.deep.equal(
      failureStatus({
        message: `secrets "${NAME}" is forbidden: User "system:serviceaccount:default:no-rights" cannot update resource "secrets" in API group "" in the namespace "${NS}"`,
        reason: 'Forbidden',
        details: { name: NAME, kind: 'secrets' },
        code: 403,
      }),
    )
    const ns = await call('GET', undefined, undefined, `${sim.url}/api/v1/namespaces/kube-system/secrets/x`)
    expect(ns.status).to.equal(403)
    expect((await json(ns)).message).to.equal(
      'secrets "x" is forbidden: User "system:serviceaccount:telemetry:telemetry-client" cannot get resource "secrets" in API group "" in the namespace "kube-system"',
    )
  })

  it('fault 429 answers TooManyRequests with Retry-After, once', async () => {
    sim.faults.add({ kind: 'secret.get', times: 1, effect: { type: 'status', status: 429, retryAfterSeconds: 3 } })
    const limited = await call('GET')
    expect(limited.status).to.equal(429)
    expect(limited.headers.get('retry-after')).to.equal('3')
    expect(await json(limited)).to.deep.equal(
      failureStatus({
        message: 'Too many requests, please try again later.',
        reason: 'TooManyRequests',
        details: { retryAfterSeconds: 3 },
        code: 429,
      }),
    )
    expect((await call('GET')).status).to.equal(200)
  })

  it('fault 5xx answers InternalError / ServiceUnavailable Status bodies; fault 409 is the Conflict body', async () => {
    sim.faults.add({ kind: 'secret.get', times: 1, effect: { type: 'status', status: 500 } })
    sim.faults.add({ kind: 'secret.get', times: 1, effect: { type: 'status', status: 503 } })
    sim.faults.add({ kind: 'secret.put', times: 1, effect: { type: 'status', status: 409 } })
    const internal = await call('GET')
    expect(internal.status).to.equal(500)
    expect(await json(internal)).to.include({ reason: 'InternalError', code: 500 })
    const unavailable = await call('GET')
    expect(unavailable.status).to.equal(503)
    expect(await json(unavailable)).to.include({ reason: 'ServiceUnavailable', code: 503 })
    const storm = await call('PUT', { metadata: { name: NAME }, data: {} })
    expect(storm.status).to.equal(409)
    expect(await json(storm)).to.deep.equal(conflictBody(NAME))
  })

  it('fault hang never answers (client timeout fires) and reset closes the socket', async () => {
    const injectedBefore = sim.faults.injected.get('secret.get') ?? 0
    sim.faults.add({ kind: 'secret.get', times: 1, effect: { type: 'hang' } })
    sim.faults.add({ kind: 'secret.get', times: 1, effect: { type: 'reset' } })
    const hung = await fetch(path, { headers: { Authorization: `Bearer ${sim.token}` }, signal: AbortSignal.timeout(200) }).then(
      () => 'answered',
      (error: Error) => error.name,
    )
    expect(hung).to.equal('TimeoutError')
    const reset = await call('GET').then(
      () => 'answered',
      (error: Error) => error.message,
    )
    expect(reset).to.equal('fetch failed')
    expect(sim.faults.injected.get('secret.get')).to.equal(injectedBefore + 2)
  })

  it('counts requests per kind, successful writes and the peak of concurrent writes', async () => {
    sim.faults.add({ kind: 'secret.put', latencyMs: 50 })
    const putsBefore = sim.requests.get('secret.put') ?? 0
    const writesBefore = sim.successfulWrites
    const body = (v: string) => ({ metadata: { name: NAME }, data: { k: b64(v) } })
    const answers = await Promise.all([call('PUT', body('a')), call('PUT', body('b')), call('PUT', body('b'))])
    expect(answers.map((r) => r.status)).to.deep.equal([200, 200, 200])
    expect(sim.requests.get('secret.put')).to.equal(putsBefore + 3)
    expect(sim.maxConcurrentWrites).to.be.at.least(3)
    // the third PUT writes what the second wrote: a no-op that keeps the resourceVersion
    expect(sim.successfulWrites).to.equal(writesBefore + 2)
  })

  it('sequential writes, each sent right after the previous answer, never count as concurrent', async () => {
    const own = await startKubeSimulator()
    try {
      own.setSecret(NS, NAME, {})
      own.faults.add({ kind: 'secret.put', latencyMs: 5 })
      for (const v of ['a', 'b', 'c', 'd']) {
        const res = await call('PUT', { metadata: { name: NAME }, stringData: { k: v } }, undefined, `${own.url}/api/v1/namespaces/${NS}/secrets/${NAME}`)
        expect(res.status).to.equal(200)
      }
      expect(own.maxConcurrentWrites).to.equal(1)
      expect(own.successfulWrites).to.equal(4)
    } finally {
      await own.stop()
    }
  })

  it('setSecret always bumps the resourceVersion (a competing writer); deleteSecret removes', () => {
    const rv = current().resourceVersion
    sim.setSecret(NS, NAME, current().data)
    expect(Number(current().resourceVersion)).to.be.greaterThan(Number(rv))
    sim.deleteSecret(NS, NAME)
    expect(sim.secret(NS, NAME)).to.equal(undefined)
  })

  it('kubeconfig points at the server with the bearer token', () => {
    const text = sim.kubeconfig()
    expect(text).to.contain(`server: ${sim.url}`)
    expect(text).to.contain(`token: ${sim.token}`)
    expect(text).to.contain('insecure-skip-tls-verify: true')
  })

  it('records the W3C trace headers of each request that carried them, verbatim, and nothing of one that did not', async () => {
    const before = sim.tracedRequests.length
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'
    const traced = await fetch(path, { headers: { Authorization: `Bearer ${sim.token}`, traceparent, tracestate: 'congo=t61rcWkgMzE' } })
    expect(traced.status).to.equal(200)
    expect((await call('GET')).status).to.equal(200)
    expect(sim.tracedRequests.slice(before)).to.deep.equal([
      { kind: 'secret.get', method: 'GET', path: `/api/v1/namespaces/${NS}/secrets/${NAME}`, traceparent, tracestate: 'congo=t61rcWkgMzE' },
    ])
  })
})
