/** Kubernetes simulator (Secrets, ScrapeConfigs): see server.ts for why it exists and what it promises. */
export { startKubeSimulator, type KubeSimulator, type KubeSimulatorOptions, type TracedRequest } from './server.js'
export type { KubeconfigOptions } from './kubeconfig.js'
