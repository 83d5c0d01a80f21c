/**
 * Schema validation of the core objects deploy/ holds (kubernetes-models, the Kubernetes OpenAPI
 * schema), shared by the base and overlay checks. Prometheus Operator kinds (CRDs the library does
 * not know) are checked by hand where they are used.
 */
import { expect } from 'chai'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import { Role, type IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role'
import { RoleBinding, type IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { Namespace } from 'kubernetes-models/v1/Namespace'
import { Secret } from 'kubernetes-models/v1/Secret'
import { Service } from 'kubernetes-models/v1/Service'
import { ServiceAccount, type IServiceAccount } from 'kubernetes-models/v1/ServiceAccount'

export type Doc = Record<string, unknown> & {
  apiVersion: string
  kind: string
  metadata: { name: string; namespace?: string; labels?: Record<string, string> }
}

/** kubernetes-models class per apiVersion/kind; `validate()` throws on a schema violation. */
export const MODELS: Record<string, (doc: Doc) => void> = {
  'v1/Namespace': (d) => new Namespace(d).validate(),
  'v1/ServiceAccount': (d) => new ServiceAccount(d).validate(),
  'v1/ConfigMap': (d) => new ConfigMap(d).validate(),
  'v1/Secret': (d) => new Secret(d).validate(),
  'v1/Service': (d) => new Service(d).validate(),
  'apps/v1/Deployment': (d) => new Deployment(d).validate(),
  'policy/v1/PodDisruptionBudget': (d) => new PodDisruptionBudget(d).validate(),
  'rbac.authorization.k8s.io/v1/Role': (d) => new Role(d).validate(),
  'rbac.authorization.k8s.io/v1/RoleBinding': (d) => new RoleBinding(d as never).validate(),
}

/** Prometheus Operator kinds: not in kubernetes-models. */
export const isPrometheusOperatorKind = (doc: Doc): boolean => doc.apiVersion.startsWith('monitoring.coreos.com/')

/** The variables documented in docs/configuration.md (first column of its tables). */
export const documentedVariables = (markdown: string): string[] =>
  [...markdown.matchAll(/^\| `([A-Z0-9_]+)`(?: \/ `([A-Z0-9_]+)`)? \|/gm)].flatMap((m) => [m[1], m[2]]).filter((v): v is string => v !== undefined)

/** Secrets come from the credentials Secret (the OTLP headers may carry an API key); KUBECONFIG stays unset in the cluster. */
export const NOT_IN_CONFIGMAP = [
  'GRAFANA_TOKEN',
  'GRAFANA_PASSWORD',
  'KAFKA_SASL_PASSWORD',
  'KUBECONFIG',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
]

/** The RoleBinding grants the Role, in the Role's namespace, to the ServiceAccount (returned for further checks). */
export const expectRoleBoundToAccount = (only: <T>(kind: string) => T): IServiceAccount => {
  const role = only<IRole>('Role')
  const binding = only<IRoleBinding>('RoleBinding')
  const account = only<IServiceAccount>('ServiceAccount')
  expect(binding.metadata?.namespace).to.equal(role.metadata?.namespace)
  expect(binding.roleRef).to.deep.equal({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata?.name })
  expect(binding.subjects).to.deep.equal([{ kind: 'ServiceAccount', name: account.metadata?.name, namespace: account.metadata?.namespace }])
  return account
}
