/**
 * The small kustomize builder the deploy checks use (test/support/kustomize-build.ts): kustomize's
 * results for the features deploy/ uses, and errors for what it does not support.
 */
import { expect } from 'chai'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { kustomizeBuild } from '../../support/kustomize-build.js'

const CONFIGMAP = `apiVersion: v1
kind: ConfigMap
metadata: {name: cm, namespace: a, labels: {x: "1"}}
data: {A: "1", B: "2"}
`
const ROLE = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r, namespace: m}
rules:
  - {apiGroups: [""], resources: [secrets], verbs: [get]}
`
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: a}
spec:
  template:
    spec:
      containers:
        - {name: c, image: "app:0.1.0"}
        - {name: s, image: "registry:5000/side:1"}
`

describe('kustomizeBuild (test support)', () => {
  let dir: string
  const write = async (path: string, text: string): Promise<void> => {
    await mkdir(join(dir, path, '..'), { recursive: true })
    await writeFile(join(dir, path), text)
  }
  const base = async (): Promise<void> => {
    await write('base/cm.yaml', CONFIGMAP)
    await write('base/role.yaml', ROLE)
    await write('base/deployment.yaml', DEPLOYMENT)
    await write(
      'base/kustomization.yaml',
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [cm.yaml, role.yaml, deployment.yaml]\nimages: [{name: app, newName: reg.example/app, newTag: "2"}]\n',
    )
  }
  const overlay = async (body: string): Promise<void> =>
    write('overlay/kustomization.yaml', `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../base]\n${body}`)

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kustomize-build-'))
    await base()
  })
  afterEach(async () => rm(dir, { recursive: true, force: true }))

  it('sets images by name, keeping a registry port and other images', async () => {
    const [, , deployment] = await kustomizeBuild(join(dir, 'base'))
    expect(JSON.stringify(deployment)).to.include('"image":"reg.example/app:2"').and.include('"image":"registry:5000/side:1"')
  })

  it('strategic merge: maps merge, null deletes, the object is found by its identity', async () => {
    await write('overlay/p.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm, namespace: a}\ndata: {B: "3", C: "4", A: null}\n')
    await overlay('patches: [{path: p.yaml}]\n')
    const [cm] = await kustomizeBuild(join(dir, 'overlay'))
    expect(cm).to.deep.equal({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'a', labels: { x: '1' } }, data: { B: '3', C: '4' } })
  })

  it('strategic merge: refuses lists and a patch that matches nothing', async () => {
    await write('overlay/p.yaml', 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules: []\n')
    await overlay('patches: [{path: p.yaml}]\n')
    await expectRejection(kustomizeBuild(join(dir, 'overlay')), /list at \/rules/)
    await write('overlay/p.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\ndata: {A: "x"}\n')
    await expectRejection(kustomizeBuild(join(dir, 'overlay')), /matches no object/)
  })

  it('JSON 6902: replace, add and test on the target', async () => {
    await write(
      'overlay/p.yaml',
      '- {op: test, path: /metadata/namespace, value: m}\n- {op: replace, path: /rules/0/verbs, value: [get, list]}\n- {op: add, path: /rules/-, value: {apiGroups: [x], resources: [y], verbs: [get]}}\n',
    )
    await overlay('patches: [{path: p.yaml, target: {group: rbac.authorization.k8s.io, version: v1, kind: Role, name: r}}]\n')
    const [, role] = await kustomizeBuild(join(dir, 'overlay'))
    expect(role?.['rules']).to.deep.equal([
      { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] },
      { apiGroups: ['x'], resources: ['y'], verbs: ['get'] },
    ])
  })

  it('JSON 6902: a failing test, a missing path or a target that selects nothing is an error', async () => {
    await overlay('patches: [{path: p.yaml, target: {kind: Role}}]\n')
    await write('overlay/p.yaml', '- {op: test, path: /metadata/namespace, value: other}\n')
    await expectRejection(kustomizeBuild(join(dir, 'overlay')), /test \/metadata\/namespace failed/)
    await write('overlay/p.yaml', '- {op: replace, path: /spec/x, value: 1}\n')
    await expectRejection(kustomizeBuild(join(dir, 'overlay')), /does not exist|nothing there/)
    await overlay('patches: [{path: p.yaml, target: {kind: ClusterRole}}]\n')
    await expectRejection(kustomizeBuild(join(dir, 'overlay')), /selects no object/)
  })

  it('refuses duplicate objects and kustomization fields it does not implement', async () => {
    await overlay('namePrefix: x-\n')
    await expectRejection(kustomizeBuild(join(dir, 'overlay')), /namePrefix is not supported/)
    await write('overlay/kustomization.yaml', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../base, ../base/cm.yaml]\n')
    await expectRejection(kustomizeBuild(join(dir, 'overlay')), /defined twice/)
  })
})

const expectRejection = async (promise: Promise<unknown>, message: RegExp): Promise<void> => {
  try {
    await promise
  } catch (error) {
    expect(String(error)).to.match(message)
    return
  }
  expect.fail(`expected a rejection matching ${String(message)}`)
}
