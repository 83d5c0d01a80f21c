import { ApiException } from '@kubernetes/client-node'
import { expect } from 'chai'
import { startKubeSimulator, type KubeSimulator } from '../../../../../dev/kube-simulator/index.js'
import {
  classifyKubeError,
  createSecretClient,
  KubeErrorException,
  kubeConfigFrom,
  type KubeError,
  type SecretClient,
} from '../../../../../src/effects/kube/secret/kube-secret-client.js'
import { noAnswer } from '../../../../../src/effects/kube/kube-error.js'
import { rejectionOf } from '../../../../support/rejection.js'

const NS = 'monitoring'
const NAME = 'additional-scrape-configs'
const KEY = 'prometheus-additional.yaml'
const ref = { namespace: NS, name: NAME, key: KEY }

/** The KubeError a promise rejected with; fails the test if it resolved or threw something else. */
const rejection = async (promise: Promise<unknown>): Promise<KubeError> => (await rejectionOf(promise, KubeErrorException)).error

describe('kube secret client (client-node against the simulator)', () => {
  let sim: KubeSimulator
  let client: SecretClient

  before(async () => {
    sim = await startKubeSimulator()
    client = createSecretClient(kubeConfigFrom(await sim.writeKubeconfig()), ref, { timeoutMs: 300 })
  })
  after(() => sim.stop())
  beforeEach(() => {
    sim.faults.clear()
    sim.setSecret(NS, NAME, { [KEY]: '- job_name: a\n', 'other-key': 'untouched' })
  })

  it('reads the decoded value and the resourceVersion', async () => {
    expect(await client.read()).to.deep.equal({ resourceVersion: sim.secret(NS, NAME)?.resourceVersion, value: '- job_name: a\n' })
  })

  it('reads undefined for an absent key', async () => {
    sim.setSecret(NS, NAME, { 'other-key': 'x' })
    expect((await client.read()).value).to.equal(undefined)
  })

  it('replaces with the right resourceVersion and keeps the other keys', async () => {
    const snapshot = await client.read()
    const written = await client.replace('- job_name: b\n', snapshot.resourceVersion)
    const stored = sim.secret(NS, NAME)
    expect(stored?.data).to.deep.equal({ [KEY]: '- job_name: b\n', 'other-key': 'untouched' })
    expect(written).to.deep.equal({ resourceVersion: stored?.resourceVersion })
    expect(sim.requests.get('secret.put')).to.be.at.least(1)
  })

  it('replaces with the UTF-8 bytes the writer hands it, as it does with a string', async () => {
    const snapshot = await client.read()
    await client.replace(Buffer.from('- job_name: café ☕\n', 'utf8'), snapshot.resourceVersion)
    expect((await client.read()).value).to.equal('- job_name: café ☕\n')
  })

  it('replace keeps other keys even when it did not read that resourceVersion itself', async () => {
    const rv = sim.secret(NS, NAME)?.resourceVersion ?? ''
    const fresh = createSecretClient(kubeConfigFrom(await sim.writeKubeconfig()), ref, { timeoutMs: 300 })
    await fresh.replace('new', rv)
    expect(sim.secret(NS, NAME)?.data).to.deep.equal({ [KEY]: 'new', 'other-key': 'untouched' })
  })

  it('classifies a stale resourceVersion as conflict (409 from the server)', async () => {
    const snapshot = await client.read()
    sim.setSecret(NS, NAME, { [KEY]: 'someone else', 'other-key': 'untouched' })
    const puts = sim.requests.get('secret.put') ?? 0
    const error = await rejection(client.replace('mine', snapshot.resourceVersion))
    expect(error).to.include({ kind: 'conflict', status: 409 })
    expect(sim.secret(NS, NAME)?.data[KEY]).to.equal('someone else')
    expect(sim.requests.get('secret.put')).to.equal(puts + 1)
  })

  it('answers conflict without a PUT for a resourceVersion it has never seen and the server has moved past', async () => {
    const old = (await client.read()).resourceVersion
    sim.setSecret(NS, NAME, { [KEY]: 'v2' })
    await client.read()
    sim.setSecret(NS, NAME, { [KEY]: 'v3' })
    const puts = sim.requests.get('secret.put') ?? 0
    expect(await rejection(client.replace('mine', old))).to.include({ kind: 'conflict', status: 409 })
    expect(sim.requests.get('secret.put') ?? 0).to.equal(puts)
    expect(sim.secret(NS, NAME)?.data[KEY]).to.equal('v3')
  })

  it('classifies a 409 answered by the server on PUT as conflict', async () => {
    const snapshot = await client.read()
    sim.faults.add({ kind: 'secret.put', times: 1, effect: { type: 'status', status: 409 } })
    const error = await rejection(client.replace('mine', snapshot.resourceVersion))
    expect(error.kind).to.equal('conflict')
    expect(error.status).to.equal(409)
    expect(error.message).to.contain('the object has been modified')
  })

  it('classifies a missing secret as not-found', async () => {
    sim.deleteSecret(NS, NAME)
    expect(await rejection(client.read())).to.include({ kind: 'not-found', status: 404 })
  })

  it('classifies a wrong token as unauthorized and the no-rights token as forbidden', async () => {
    const wrong = createSecretClient(kubeConfigFrom(await sim.writeKubeconfig(undefined, { token: 'wrong' })), ref)
    expect(await rejection(wrong.read())).to.include({ kind: 'unauthorized', status: 401 })
    const noRights = createSecretClient(kubeConfigFrom(await sim.writeKubeconfig(undefined, { token: sim.forbiddenToken })), ref)
    const error = await rejection(noRights.read())
    expect(error).to.include({ kind: 'forbidden', status: 403 })
    expect(error.message).to.contain('cannot get resource "secrets"')
  })

  it('classifies an injected 503 as retryable', async () => {
    sim.faults.add({ kind: 'secret.get', times: 1, effect: { type: 'status', status: 503 } })
    expect(await rejection(client.read())).to.include({ kind: 'retryable', status: 503 })
  })

  it('classifies 429 as retryable with retryAfterMs from Retry-After', async () => {
    const snapshot = await client.read()
    sim.faults.add({ kind: 'secret.put', times: 1, effect: { type: 'status', status: 429, retryAfterSeconds: 2 } })
    expect(await rejection(client.replace('x', snapshot.resourceVersion))).to.deep.include({
      kind: 'retryable',
      status: 429,
      retryAfterMs: 2000,
    })
  })

  it('times out on a hung request (retryable) and a reset connection is retryable too', async () => {
    sim.faults.add({ kind: 'secret.get', times: 1, effect: { type: 'hang' } })
    const started = Date.now()
    const hung = await rejection(client.read())
    expect(hung.kind).to.equal('retryable')
    expect(hung.message).to.contain('300 ms')
    expect(Date.now() - started).to.be.lessThan(2000)
    sim.faults.add({ kind: 'secret.get', times: 1, effect: { type: 'reset' } })
    expect((await rejection(client.read())).kind).to.equal('retryable')
    expect((await client.read()).value).to.equal('- job_name: a\n')
  })

  it('readMetadata reads the resourceVersion without the data (a metadata-only GET) and rejects classified', async () => {
    const full = sim.requests.get('secret.get') ?? 0
    const { resourceVersion } = await client.readMetadata()
    expect(resourceVersion).to.equal(sim.secret(NS, NAME)?.resourceVersion)
    expect(sim.requests.get('secret.get') ?? 0, 'no full read').to.equal(full)
    expect(sim.requests.get('secret.get-metadata')).to.equal(1)
    sim.faults.add({ kind: 'secret.get-metadata', times: 1, effect: { type: 'status', status: 500 } })
    expect(await rejection(client.readMetadata())).to.include({ kind: 'retryable', status: 500 })
  })

  it('classifies the apiserver\'s 422 "Too long" for a Secret over 1 MiB as too-large, with the limit it named', async () => {
    // a 1 MiB body: more time than the other cases' 300 ms on a loaded machine
    const patient = createSecretClient(kubeConfigFrom(await sim.writeKubeconfig()), ref, { timeoutMs: 30_000 })
    const snapshot = await patient.read()
    const error = await rejection(patient.replace(`- job_name: big\n  x: ${'a'.repeat(1_048_576)}\n`, snapshot.resourceVersion))
    expect(error).to.include({ kind: 'too-large', status: 422, limitBytes: 1_048_576 })
    expect(error.message).to.match(/Too long: must have at most 1048576 bytes/)
    expect(sim.secret(NS, NAME)?.data[KEY]).to.equal('- job_name: a\n')
  })

  it('classifyKubeError: 400/422 invalid, 422 FieldValueTooLong and 413 too-large, Retry-After as HTTP date or Status detail, unknown errors fatal', () => {
    const status = (code: number, details: object = {}) => JSON.stringify({ kind: 'Status', message: `m${code}`, details, code })
    expect(classifyKubeError(new ApiException(422, 'x', status(422), {}), 'put')).to.deep.equal({ kind: 'invalid', status: 422, message: 'put: 422 m422' })
    expect(classifyKubeError(new ApiException(400, 'x', status(400), {}), 'put').kind).to.equal('invalid')
    const tooLong = status(422, { causes: [{ reason: 'FieldValueTooLong', message: 'Too long: must have at most 1048576 bytes', field: 'data' }] })
    expect(classifyKubeError(new ApiException(422, 'x', tooLong, {}), 'put')).to.deep.equal({
      kind: 'too-large',
      status: 422,
      message: 'put: 422 m422',
      limitBytes: 1048576,
    })
    expect(classifyKubeError(new ApiException(413, 'x', status(413), {}), 'put').kind).to.equal('too-large')
    expect(classifyKubeError(new ApiException(401, 'Unauthorized', undefined, {}), 'get')).to.deep.equal({
      kind: 'unauthorized',
      status: 401,
      message: 'get: 401 HTTP 401',
    })
    const now = Date.parse('2025-01-01T00:00:00Z')
    const dated = new ApiException(503, 'x', status(503), { 'retry-after': 'Wed, 01 Jan 2025 00:00:05 GMT' })
    expect(classifyKubeError(dated, 'get', undefined, now).retryAfterMs).to.equal(5000)
    const detail = new ApiException(429, 'x', status(429, { retryAfterSeconds: 1 }), {})
    expect(classifyKubeError(detail, 'get').retryAfterMs).to.equal(1000)
    expect(classifyKubeError(new ApiException(418, 'x', 'not json', {}), 'get').kind).to.equal('fatal')
    expect(classifyKubeError(new Error('boom'), 'x').kind).to.equal('fatal')
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
    expect(classifyKubeError(refused, 'x').kind).to.equal('retryable')
    // never sent: a write in it cannot have landed; a reset or a timeout may have
    expect(noAnswer(classifyKubeError(refused, 'x'))).to.equal(false)
    expect(noAnswer(classifyKubeError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'x'))).to.equal(true)
    expect(noAnswer(classifyKubeError(Object.assign(new Error('aborted'), { name: 'TimeoutError' }), 'x', 100))).to.equal(true)
    expect(noAnswer(classifyKubeError(new ApiException(504, 'x', status(504), {}), 'put'))).to.equal(true)
    expect(noAnswer(classifyKubeError(new ApiException(503, 'x', status(503), {}), 'put'))).to.equal(false)
  })
})
