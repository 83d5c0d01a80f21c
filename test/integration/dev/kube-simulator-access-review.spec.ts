/**
 * Kubernetes simulator: SelfSubjectAccessReview (authorization.k8s.io/v1), asked through the
 * real client (@kubernetes/client-node) as `doctor` asks it: 201 with `status.allowed` for the
 * caller's own identity, 401 without credentials, 422 for a spec naming neither or both kinds
 * of attributes. Asking writes nothing.
 */
import { expect } from 'chai'
import { AuthorizationV1Api, KubeConfig } from '@kubernetes/client-node'
import { startKubeSimulator, type KubeSimulator } from '../../../dev/kube-simulator/index.js'

describe('Kubernetes simulator: SelfSubjectAccessReview', () => {
  let sim: KubeSimulator
  before(async () => {
    sim = await startKubeSimulator({ forbiddenNamespaces: ['kube-system'] })
  })
  after(() => sim.stop())

  const clientFor = async (token?: string): Promise<AuthorizationV1Api> => {
    const config = new KubeConfig()
    config.loadFromFile(await sim.writeKubeconfig(undefined, token === undefined ? {} : { token }))
    return config.makeApiClient(AuthorizationV1Api)
  }
  const ask = async (api: AuthorizationV1Api, resourceAttributes: Record<string, string>) =>
    (
      await api.createSelfSubjectAccessReview({
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes } },
      })
    ).status

  it('allows the service token to get and update secrets in its namespace, and nothing else', async () => {
    const api = await clientFor()
    const writesBefore = sim.successfulWrites
    expect((await ask(api, { namespace: 'monitoring', verb: 'get', resource: 'secrets', name: 'scrape' }))?.allowed).to.equal(true)
    expect((await ask(api, { namespace: 'monitoring', verb: 'update', resource: 'secrets', name: 'scrape' }))?.allowed).to.equal(true)
    expect((await ask(api, { namespace: 'kube-system', verb: 'get', resource: 'secrets' }))?.allowed).to.equal(false)
    expect((await ask(api, { namespace: 'monitoring', verb: 'get', resource: 'configmaps' }))?.allowed).to.equal(false)
    expect((await ask(api, { namespace: 'monitoring', verb: 'escalate', resource: 'secrets' }))?.allowed).to.equal(false)
    expect(sim.successfulWrites).to.equal(writesBefore)
    expect(sim.requests.get('selfsubjectaccessreview.create')).to.equal(5)
  })

  it('answers the forbidden user (it may ask, but may do nothing) and refuses a missing token', async () => {
    expect((await ask(await clientFor(sim.forbiddenToken), { namespace: 'monitoring', verb: 'get', resource: 'secrets' }))?.allowed).to.equal(false)
    const anonymous = await fetch(`${sim.url}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`, { method: 'POST', body: '{}' })
    expect(anonymous.status).to.equal(401)
  })

  it('422 when the spec names neither resource nor non-resource attributes', async () => {
    const response = await fetch(`${sim.url}/apis/authorization.k8s.io/v1/selfsubjectaccessreviews`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sim.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: {} }),
    })
    expect(response.status).to.equal(422)
    expect(await response.json()).to.include({ kind: 'Status', reason: 'Invalid', code: 422 })
  })
})
