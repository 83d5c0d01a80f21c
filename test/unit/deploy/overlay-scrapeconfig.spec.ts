/**
 * deploy/overlays/scrapeconfig, built the way `kustomize build` builds it (the subset in
 * test/support/kustomize-build.ts), checked without a cluster: schema-valid objects, a Role that
 * allows exactly the ScrapeConfig calls the service makes in one namespace and nothing on secrets,
 * a configuration the service accepts in scrapeconfig mode, and a runbook example whose Prometheus
 * selectors pick up the objects the service writes with this configuration (shown there too).
 */
import { expect } from 'chai'
import { isRight } from 'fp-ts/lib/Either.js'
import { load } from '../../support/yaml.js'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role'
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap'
import type { Config } from '../../../src/config/config.js'
import { loadConfig } from '../../../src/config/load-config.js'
import type { ScrapeConfigResource } from '../../../src/codecs/apis/scrape-config.js'
import { scrapeConfigName } from '../../../src/effects/kube/scrapeconfig/scrape-config-name.js'
import { scrapeConfigOf } from '../../../src/effects/kube/scrapeconfig/scrape-config-of.js'
import { federationJob } from '../../../src/effects/prometheus/scrape-job.js'
import { kustomizeBuild, type KubeObject } from '../../support/kustomize-build.js'
import { documentedVariables, isPrometheusOperatorKind, MODELS, NOT_IN_CONFIGMAP, expectRoleBoundToAccount } from './kube-models.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const overlay = join(root, 'deploy', 'overlays', 'scrapeconfig')

/** The RBAC verbs behind each CustomObjectsApi call (server-side apply may create: patch + create). */
const VERBS_OF_CALL: Record<string, readonly string[]> = {
  getNamespacedCustomObject: ['get'],
  listNamespacedCustomObject: ['list'],
  createNamespacedCustomObject: ['create'],
  replaceNamespacedCustomObject: ['update'],
  deleteNamespacedCustomObject: ['delete'],
  deleteCollectionNamespacedCustomObject: ['deletecollection'],
}

/** The verbs src/effects/kube/scrapeconfig/scrape-config-applier.ts needs, read from its calls. */
const applierVerbs = async (): Promise<string[]> => {
  const source = await readFile(join(root, 'src', 'effects', 'kube', 'scrapeconfig', 'scrape-config-applier.ts'), 'utf8')
  const verbs = new Set<string>()
  for (const [, call] of source.matchAll(/api\.(\w+)\(/g)) {
    if (call === undefined) continue
    if (call === 'patchNamespacedCustomObject') {
      verbs.add('patch')
      // a server-side apply that creates the object is also authorized as `create`
      if (source.includes('PatchStrategy.ServerSideApply')) verbs.add('create')
      continue
    }
    const mapped = VERBS_OF_CALL[call]
    if (mapped === undefined) throw new Error(`scrape-config-applier.ts calls api.${call}: add its verbs here and to the overlay's Role`)
    for (const verb of mapped) verbs.add(verb)
  }
  return [...verbs].sort()
}

const matchesLabels = (selector: Record<string, string>, labels: Readonly<Record<string, string>> | undefined): boolean =>
  Object.entries(selector).every(([k, v]) => labels?.[k] === v)

describe('deploy/overlays/scrapeconfig (ScrapeConfig backend)', () => {
  let built: KubeObject[]
  let base: KubeObject[]
  const only = <T>(kind: string): T => {
    const found = built.filter((o) => o.kind === kind)
    expect(found, kind).to.have.length(1)
    return found[0] as unknown as T
  }
  const data = (): Record<string, string> => only<IConfigMap>('ConfigMap').data ?? {}
  const config = (): Config => {
    const loaded = loadConfig({ ...data(), GRAFANA_TOKEN: 'glsa_token' })
    if (!isRight(loaded)) throw new Error(loaded.left.join('\n'))
    return loaded.right
  }

  before(async () => {
    built = await kustomizeBuild(overlay)
    base = await kustomizeBuild(join(root, 'deploy', 'base'))
  })

  it('uses deploy/base and no kustomize `namespace:` (it would move the Role)', async () => {
    const k = load(await readFile(join(overlay, 'kustomization.yaml'), 'utf8')) as { resources: string[]; namespace?: string }
    expect(k.resources).to.deep.equal(['../../base'])
    expect(k).not.to.have.property('namespace')
  })

  it('changes only the ConfigMap and the Role of the base', () => {
    const id = (o: KubeObject): string => `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`
    expect(built.map(id)).to.deep.equal(base.map(id))
    const changed = built.filter((o, i) => JSON.stringify(o) !== JSON.stringify(base[i])).map((o) => o.kind)
    expect(changed).to.deep.equal(['Role', 'ConfigMap'])
  })

  it('every core object validates against the Kubernetes schema', () => {
    for (const o of built) {
      if (isPrometheusOperatorKind(o)) continue
      const validate = MODELS[`${o.apiVersion}/${o.kind}`]
      expect(validate, `${o.apiVersion} ${o.kind} has no model here`).to.be.a('function')
      expect(() => validate?.(o), `${o.kind}/${o.metadata.name}`).not.to.throw()
    }
  })

  describe('RBAC (least privilege)', () => {
    it('has no cluster-wide grants and one Role', () => {
      expect(built.filter((o) => o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding')).to.deep.equal([])
      only<IRole>('Role')
    })

    it('allows exactly the ScrapeConfig verbs the applier uses, in SCRAPE_CONFIG_NAMESPACE, and nothing on secrets', async () => {
      const role = only<IRole>('Role')
      expect(role.rules).to.have.length(1)
      const rule = role.rules?.[0]
      expect(rule?.apiGroups).to.deep.equal(['monitoring.coreos.com'])
      expect(rule?.resources).to.deep.equal(['scrapeconfigs'])
      expect([...(rule?.verbs ?? [])].sort()).to.deep.equal(['create', 'delete', 'get', 'list', 'patch'])
      expect([...(rule?.verbs ?? [])].sort()).to.deep.equal(await applierVerbs())
      expect(rule?.resourceNames).to.equal(undefined)
      expect(rule?.nonResourceURLs).to.equal(undefined)
      expect(JSON.stringify(role.rules)).not.to.match(/secrets|\*/)
      expect(role.metadata?.namespace).to.equal(data()['SCRAPE_CONFIG_NAMESPACE'])
    })

    it("binds the Role, in its namespace, to the Deployment's ServiceAccount", () => {
      expectRoleBoundToAccount(only)
    })
  })

  describe('ConfigMap', () => {
    it('sets every non-secret variable of docs/configuration.md', async () => {
      const documented = documentedVariables(await readFile(join(root, 'docs', 'configuration.md'), 'utf8'))
      expect(documented).to.include.members(['SCRAPE_CONFIG_BACKEND', 'SCRAPE_CONFIG_NAMESPACE', 'SCRAPE_CONFIG_LABELS', 'SCRAPE_CONFIG_MAX_IN_FLIGHT'])
      expect(Object.keys(data())).to.include.members(documented.filter((v) => !NOT_IN_CONFIGMAP.includes(v)))
      for (const v of NOT_IN_CONFIGMAP) expect(data(), v).not.to.have.property(v)
    })

    it("is accepted by the service's configuration loader in scrapeconfig mode, without the secret", () => {
      expect(config().scrape).to.deep.equal({
        backend: 'scrapeconfig',
        scrapeConfig: { namespace: 'monitoring', labels: { release: 'prometheus' }, maxInFlight: 16 },
      })
    })
  })

  describe('docs/runbook.md "ScrapeConfig backend"', () => {
    const example = async (kind: string): Promise<unknown> => {
      const runbook = await readFile(join(root, 'docs', 'runbook.md'), 'utf8')
      const section = runbook.slice(runbook.indexOf('## ScrapeConfig backend'))
      const yaml = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '').find((block) => new RegExp(`^kind: ${kind}$`, 'm').test(block))
      expect(yaml, `a \`\`\`yaml block with kind: ${kind} in "ScrapeConfig backend"`).to.be.a('string')
      return load(yaml ?? '')
    }
    const written = (): ScrapeConfigResource => {
      const { scrapeConfig } = config().scrape
      if (scrapeConfig === undefined) throw new Error('no scrapeConfig')
      const job = federationJob({
        serviceId: 'ecc4345a-2097-4c3b-a40c-a9e791cdccbb',
        namespaces: ['NAMESPACE_1', 'NAMESPACE_2'],
        host: '10.10.10.4',
        port: 30180,
      })
      return scrapeConfigOf(job, { namespace: scrapeConfig.namespace, extraLabels: scrapeConfig.labels })
    }

    it("shows the object the service writes with the overlay's configuration, and true name examples", async () => {
      expect(await example('ScrapeConfig')).to.deep.equal(written())
      expect(scrapeConfigName('My_Service.1')).to.equal('my-service-1-2dt')
    })

    it('has a Prometheus example whose selectors pick that object up', async () => {
      const prometheus = (await example('Prometheus')) as {
        spec: { scrapeConfigSelector: { matchLabels: Record<string, string> }; scrapeConfigNamespaceSelector: { matchLabels: Record<string, string> } }
      }
      const object = written()
      expect(object.metadata.namespace).to.equal('monitoring')
      expect(matchesLabels(prometheus.spec.scrapeConfigSelector.matchLabels, object.metadata.labels)).to.equal(true)
      // the namespace selector matches the namespace's automatic name label
      expect(prometheus.spec.scrapeConfigNamespaceSelector.matchLabels).to.deep.equal({ 'kubernetes.io/metadata.name': object.metadata.namespace })
    })
  })
})
