/**
 * The Kubernetes manifests of deploy/base, checked without a cluster: each core object is
 * validated against the Kubernetes OpenAPI schema (kubernetes-models), the ServiceMonitor (a CRD
 * the library does not know) by hand, and the properties that matter for running safely are
 * asserted: least-privilege RBAC, the restricted pod security settings, probes on the right
 * endpoints, and a configuration the service itself accepts.
 */
import { expect } from 'chai'
import { isRight } from 'fp-ts/lib/Either.js'
import { load, loadAll } from '../../support/yaml.js'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment'
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role'
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap'
import type { IService } from 'kubernetes-models/v1/Service'
import { loadConfig } from '../../../src/config/load-config.js'
import { kustomizeBuild } from '../../support/kustomize-build.js'
import { documentedVariables, isPrometheusOperatorKind, MODELS, NOT_IN_CONFIGMAP, type Doc, expectRoleBoundToAccount } from './kube-models.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const base = join(root, 'deploy', 'base')
/** created once by the operator (docs/runbook.md), never by the manifests */
const CREDENTIALS_SECRET = 'telemetry-client-credentials'

interface Loaded {
  readonly file: string
  readonly doc: Doc
}

const isDoc = (u: unknown): u is Doc =>
  typeof u === 'object' &&
  u !== null &&
  typeof (u as Doc).apiVersion === 'string' &&
  typeof (u as Doc).kind === 'string' &&
  typeof (u as Doc).metadata?.name === 'string'

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean =>
  selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v)

describe('deploy/base manifests', () => {
  let loaded: Loaded[]
  const only = <T>(kind: string): T => {
    const found = loaded.filter((l) => l.doc.kind === kind)
    expect(found, kind).to.have.length(1)
    return (found[0] as Loaded).doc as unknown as T
  }

  before(async () => {
    loaded = []
    for (const file of (await readdir(base)).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort()) {
      for (const doc of loadAll(await readFile(join(base, file), 'utf8'))) {
        if (doc === null || doc === undefined) continue
        if (!isDoc(doc)) throw new Error(`${file}: not a Kubernetes object`)
        loaded.push({ file, doc })
      }
    }
  })

  it('kustomization.yaml lists exactly the manifest files', async () => {
    const kustomization = load(await readFile(join(base, 'kustomization.yaml'), 'utf8')) as {
      kind: string
      resources: string[]
      namespace?: string
      images?: { name: string }[]
    }
    expect(kustomization.kind).to.equal('Kustomization')
    expect([...kustomization.resources].sort()).to.deep.equal([...new Set(loaded.map((l) => l.file))].sort())
    // a kustomize `namespace:` would move the Role out of the secret's namespace
    expect(kustomization).not.to.have.property('namespace')
    expect(kustomization.images?.map((i) => i.name)).to.include(only<IDeployment>('Deployment').spec?.template.spec?.containers[0]?.image?.split(':')[0])
  })

  it("builds (kustomize semantics, test/support/kustomize-build.ts) to the files' objects with the image set", async () => {
    const built = await kustomizeBuild(base)
    const image = (load(await readFile(join(base, 'kustomization.yaml'), 'utf8')) as { images: { newName: string; newTag: string }[] }).images[0]
    const expected = loaded.map((l) => l.doc)
    expect(built.map((o) => `${o.kind}/${o.metadata.name}`).sort()).to.deep.equal(expected.map((d) => `${d.kind}/${d.metadata.name}`).sort())
    const deployment = built.find((o) => o.kind === 'Deployment') as unknown as IDeployment
    expect(deployment.spec?.template.spec?.containers[0]?.image).to.equal(`${image?.newName ?? ''}:${image?.newTag ?? ''}`)
    for (const o of built)
      if (o.kind !== 'Deployment') expect(o, o.kind).to.deep.equal(expected.find((d) => d.kind === o.kind && d.metadata.name === o.metadata.name))
  })

  it('applying the build again never replaces credentials: it holds no Secret at all', async () => {
    // `kubectl apply -k deploy/base` (say, to bump the image) would overwrite a Secret it contains
    const built = await kustomizeBuild(base)
    expect(built.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name)).to.deep.equal([])
    expect(loaded.filter((l) => l.doc.kind === 'Secret').map((l) => l.file)).to.deep.equal([])
    // the one the Deployment reads is documented as created once, out of band
    const runbook = await readFile(join(root, 'docs', 'runbook.md'), 'utf8')
    expect(runbook).to.include(`create secret generic ${CREDENTIALS_SECRET}`)
  })

  it('every core object validates against the Kubernetes schema', () => {
    for (const { file, doc } of loaded) {
      if (isPrometheusOperatorKind(doc)) continue
      const validate = MODELS[`${doc.apiVersion}/${doc.kind}`]
      expect(validate, `${file}: ${doc.apiVersion} ${doc.kind} has no model here`).to.be.a('function')
      expect(() => validate?.(doc), `${file}: ${doc.kind}/${doc.metadata.name}`).not.to.throw()
    }
  })

  it('every namespaced object names its namespace explicitly', () => {
    for (const { file, doc } of loaded) if (doc.kind !== 'Namespace') expect(doc.metadata.namespace, file).to.be.a('string').and.not.equal('')
  })

  describe('RBAC (least privilege)', () => {
    it('has no cluster-wide grants', () => {
      expect(loaded.filter((l) => l.doc.kind === 'ClusterRole' || l.doc.kind === 'ClusterRoleBinding')).to.deep.equal([])
    })

    it("grants exactly get/update on the one scrape-config secret, in the secret's namespace", () => {
      const role = only<IRole>('Role')
      const config = only<IConfigMap>('ConfigMap').data ?? {}
      expect(role.rules).to.have.length(1)
      const rule = role.rules?.[0]
      expect(rule?.apiGroups).to.deep.equal([''])
      expect(rule?.resources).to.deep.equal(['secrets'])
      expect(rule?.verbs).to.have.length.at.least(1)
      for (const verb of rule?.verbs ?? []) expect(verb).to.be.oneOf(['get', 'update', 'patch'])
      expect(rule?.verbs).to.include.members(['get', 'update']) // what the client calls: read + replace
      expect(rule?.resourceNames).to.deep.equal([config['SECRET_NAME']])
      expect(role.metadata?.namespace).to.equal(config['SECRET_NAMESPACE'])
      expect(rule?.nonResourceURLs).to.equal(undefined)
    })

    it("binds the Role, in its namespace, to the Deployment's ServiceAccount", () => {
      const account = expectRoleBoundToAccount(only)
      const deployment = only<IDeployment>('Deployment')
      expect(deployment.spec?.template.spec?.serviceAccountName).to.equal(account.metadata?.name)
      expect(deployment.metadata?.namespace).to.equal(account.metadata?.namespace)
    })
  })

  describe('Deployment', () => {
    const pod = () => only<IDeployment>('Deployment').spec?.template.spec
    const container = () => {
      const containers = pod()?.containers ?? []
      expect(containers).to.have.length(1)
      return containers[0] as NonNullable<ReturnType<typeof pod>>['containers'][number]
    }

    it('runs restricted: non-root, read-only root, no privilege escalation, no capabilities, RuntimeDefault seccomp', () => {
      expect(pod()?.securityContext).to.deep.include({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } })
      const sc = container().securityContext
      expect(sc).to.deep.include({
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      })
      expect(sc?.privileged ?? false).to.equal(false)
      expect(sc?.capabilities?.add).to.equal(undefined)
      expect(sc?.runAsUser ?? pod()?.securityContext?.runAsUser)
        .to.be.a('number')
        .and.not.equal(0)
      expect(pod()?.hostNetwork ?? false).to.equal(false)
    })

    it('mounts a writable emptyDir at /tmp (the only writable path)', () => {
      const mount = container().volumeMounts?.find((m) => m.mountPath === '/tmp')
      expect(mount).to.exist
      expect(mount?.readOnly ?? false).to.equal(false)
      const volume = pod()?.volumes?.find((v) => v.name === mount?.name)
      expect(volume?.emptyDir).to.be.an('object')
    })

    it('probes liveness on /livez and readiness on /readyz, on the HTTP_PORT', () => {
      const c = container()
      const port = c.ports?.find((p) => p.name === 'http')
      expect(port?.containerPort).to.equal(Number(only<IConfigMap>('ConfigMap').data?.['HTTP_PORT']))
      expect(c.livenessProbe?.httpGet).to.deep.equal({ path: '/livez', port: 'http' })
      expect(c.readinessProbe?.httpGet).to.deep.equal({ path: '/readyz', port: 'http' })
      if (c.startupProbe !== undefined) expect(c.startupProbe.httpGet?.path).to.equal('/livez')
      // the service's readiness checks time out after 2 s; the probe must wait longer than that
      expect(c.readinessProbe?.timeoutSeconds).to.be.greaterThan(2)
    })

    it('sets resources', () => {
      const r = container().resources
      expect(r?.requests).to.have.keys('cpu', 'memory')
      expect(r?.limits).to.have.property('memory')
    })

    it('takes config from the ConfigMap and GRAFANA_TOKEN from the credentials Secret created out of band', () => {
      const c = container()
      const configMap = only<IConfigMap>('ConfigMap')
      expect(c.envFrom).to.deep.equal([{ configMapRef: { name: configMap.metadata?.name } }])
      const token = c.env?.find((e) => e.name === 'GRAFANA_TOKEN')
      expect(token?.value).to.equal(undefined)
      expect(token?.valueFrom?.secretKeyRef).to.deep.include({ name: CREDENTIALS_SECRET, key: 'GRAFANA_TOKEN' })
      // nothing secret in plain env values
      for (const e of c.env ?? []) expect(e.value, e.name).to.equal(undefined)
    })

    it('lets the graceful shutdown finish before the kubelet kills the pod', () => {
      const grace = only<IDeployment>('Deployment').spec?.template.spec?.terminationGracePeriodSeconds ?? 30
      expect(grace * 1000).to.be.greaterThan(Number(only<IConfigMap>('ConfigMap').data?.['SHUTDOWN_GRACE_MS']))
    })

    it('is covered by the PodDisruptionBudget and selected by the Service', () => {
      const labels = only<IDeployment>('Deployment').spec?.template.metadata?.labels
      const pdb = only<IPodDisruptionBudget>('PodDisruptionBudget')
      expect(matches(pdb.spec?.selector?.matchLabels, labels)).to.equal(true)
      expect(only<IDeployment>('Deployment').spec?.replicas).to.be.greaterThan(1) // else the PDB blocks every drain
      const service = only<IService>('Service')
      expect(matches(service.spec?.selector, labels)).to.equal(true)
      expect(service.spec?.ports?.[0]?.targetPort).to.equal('http')
    })
  })

  describe('ConfigMap', () => {
    it('sets every non-secret variable of docs/configuration.md', async () => {
      const documented = documentedVariables(await readFile(join(root, 'docs', 'configuration.md'), 'utf8'))
      expect(documented).to.include.members(['KAFKA_BROKERS', 'GRAFANA_URL', 'SECRET_NAME', 'HTTP_PORT', 'SCRAPE_CONFIG_BACKEND', 'SCRAPE_CONFIG_NAMESPACE'])
      const data = only<IConfigMap>('ConfigMap').data ?? {}
      // KUBECONFIG stays unset: in the cluster the pod's service account is used
      const expected = documented.filter((v) => !NOT_IN_CONFIGMAP.includes(v))
      expect(Object.keys(data)).to.include.members(expected)
      for (const v of NOT_IN_CONFIGMAP) expect(data, v).not.to.have.property(v)
    })

    it("is accepted by the service's own configuration loader (with a token from the credentials Secret)", () => {
      const data = only<IConfigMap>('ConfigMap').data ?? {}
      const loaded = loadConfig({ ...data, GRAFANA_TOKEN: 'glsa_token' })
      expect(isRight(loaded), isRight(loaded) ? '' : loaded.left.join('\n')).to.equal(true)
      if (isRight(loaded)) expect(loaded.right.service.httpPort).to.equal(8080)
    })

    it('runs the secret backend (the ScrapeConfig variables are blank: deploy/overlays/scrapeconfig sets them)', () => {
      const data = only<IConfigMap>('ConfigMap').data ?? {}
      const loaded = loadConfig({ ...data, GRAFANA_TOKEN: 'token' })
      expect(isRight(loaded) && loaded.right.scrape).to.deep.equal({
        backend: 'secret',
        secret: { namespace: 'monitoring', name: 'prometheus-additional-scrape-configs', key: 'prometheus-additional.yaml' },
      })
    })
  })

  it('has a ServiceMonitor scraping /metrics through the Service', () => {
    const monitor = only<
      Doc & {
        spec: {
          selector: { matchLabels: Record<string, string> }
          namespaceSelector?: { matchNames?: string[] }
          endpoints: { port: string; path: string; interval?: string }[]
        }
      }
    >('ServiceMonitor')
    const service = only<IService>('Service')
    expect(monitor.apiVersion).to.equal('monitoring.coreos.com/v1')
    expect(monitor.metadata.namespace).to.be.a('string')
    expect(matches(monitor.spec.selector.matchLabels, service.metadata?.labels)).to.equal(true)
    if (monitor.metadata.namespace !== service.metadata?.namespace) expect(monitor.spec.namespaceSelector?.matchNames).to.include(service.metadata?.namespace)
    else if (monitor.spec.namespaceSelector?.matchNames !== undefined) expect(monitor.spec.namespaceSelector.matchNames).to.include(service.metadata?.namespace)
    expect(monitor.spec.endpoints).to.have.length(1)
    const endpoint = monitor.spec.endpoints[0]
    expect(endpoint?.port).to.equal(service.spec?.ports?.[0]?.name)
    expect(endpoint?.path).to.equal('/metrics')
    expect(endpoint?.interval ?? '30s').to.match(/^\d+(s|m)$/)
    expect(Object.keys(monitor.spec).sort()).to.deep.equal(['endpoints', 'namespaceSelector', 'selector'].filter((k) => k in monitor.spec))
  })
})
