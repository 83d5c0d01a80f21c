/**
 * kubeconfig text pointing at a simulator, so the service and tests load it through the same
 * `KubeConfig.loadFromFile` path they use against a real cluster.
 *
 * The simulator serves plain http; client-node only accepts that with `insecure-skip-tls-verify`.
 */
import { yamlText } from '../../src/effects/prometheus/yaml-text.js'

export interface KubeconfigOptions {
  /** bearer token to put in the user entry (default: the simulator's token) */
  readonly token?: string
  /** default namespace of the context */
  readonly namespace?: string
}

export const renderKubeconfig = (server: string, token: string, namespace = 'default'): string =>
  yamlText({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kube-simulator', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: 'kube-simulator', user: { token } }],
    contexts: [{ name: 'kube-simulator', context: { cluster: 'kube-simulator', user: 'kube-simulator', namespace } }],
    'current-context': 'kube-simulator',
    preferences: {},
  })
