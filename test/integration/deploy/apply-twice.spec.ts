/**
 * Deploying twice is safe (issue #18 item 7): the credentials Secret is created once, out of band
 * (docs/runbook.md, Manifests step 2), and `kubectl apply -k deploy/base` again (an image bump)
 * never replaces it. The build is applied to the Kubernetes simulator the way `kubectl apply`
 * treats a Secret (its keys overwrite the live ones), twice, and the real token must survive and
 * still open Grafana.
 */
import { expect } from 'chai'
import { fileURLToPath } from 'node:url'
import { startGrafanaSimulator, type GrafanaSimulator } from '../../../dev/grafana-simulator/server.js'
import { startKubeSimulator, type KubeSimulator } from '../../../dev/kube-simulator/index.js'
import { kustomizeBuild, type KubeObject } from '../../support/kustomize-build.js'
import { recordCleanRun } from '../reliability/figures.js'

const base = fileURLToPath(new URL('../../../deploy/base/', import.meta.url))
const NAMESPACE = 'hypo-telemetry'
const CREDENTIALS = 'telemetry-client-credentials'

const stringData = (o: KubeObject): Record<string, string> => {
  const data = o['stringData']
  return typeof data === 'object' && data !== null && !Array.isArray(data)
    ? Object.fromEntries(Object.entries(data).filter((e): e is [string, string] => typeof e[1] === 'string'))
    : {}
}

describe('kubectl apply -k deploy/base, twice', function () {
  this.timeout(60_000)
  let kube: KubeSimulator
  let grafana: GrafanaSimulator
  before(async () => {
    kube = await startKubeSimulator()
    grafana = await startGrafanaSimulator()
  })
  after(async () => {
    await kube?.stop()
    await grafana?.stop()
  })

  it('keeps the credentials Secret created once out of band: its token still opens Grafana', async () => {
    const started = Date.now()
    // runbook step 2: kubectl create secret generic telemetry-client-credentials --from-literal=GRAFANA_TOKEN=…
    kube.setSecret(NAMESPACE, CREDENTIALS, { GRAFANA_TOKEN: grafana.token })
    const built = await kustomizeBuild(base)
    const secrets = built.filter((o) => o.kind === 'Secret')
    for (let round = 0; round < 2; round += 1) {
      for (const secret of secrets) {
        const namespace = secret.metadata.namespace ?? 'default'
        kube.setSecret(namespace, secret.metadata.name, { ...kube.secret(namespace, secret.metadata.name)?.data, ...stringData(secret) })
      }
    }
    const token = kube.secret(NAMESPACE, CREDENTIALS)?.data['GRAFANA_TOKEN'] ?? ''
    const answer = await fetch(`${grafana.url}/api/folders/no-such-folder`, { headers: { authorization: `Bearer ${token}` } })
    recordCleanRun('deploy: kubectl apply -k deploy/base twice after the credentials Secret was created', started, {
      requests: 2,
      faults: {},
      inputs: 0,
      notes: `Secrets in the build: ${secrets.length}; token kept: ${String(token === grafana.token)}; Grafana answered ${answer.status} (404 = authenticated, no such folder; 401 = refused) with it`,
    })
    expect(secrets.map((s) => s.metadata.name)).to.deep.equal([])
    expect(token).to.equal(grafana.token)
    expect(answer.status, 'authenticated: 404 for an absent folder, not 401').to.equal(404)
  })
})
