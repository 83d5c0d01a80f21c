/**
 * A ScrapeConfig object as the Kubernetes simulator holds it (what `kubectl get -o json` shows),
 * typed as far as the specs read it, and the service's object for a serviceId.
 */
import { DEV_SCRAPE_CONFIG } from '../../dev/dev-stack.js'
import type { KubeSimulator } from '../../dev/kube-simulator/index.js'
import { scrapeConfigName } from '../../src/effects/kube/scrapeconfig/scrape-config-name.js'

/** The environment that switches the service (and the operator commands) to the ScrapeConfig backend. */
export const SCRAPECONFIG_MODE = { SCRAPE_CONFIG_BACKEND: 'scrapeconfig' }

export interface WireScrapeConfig {
  readonly metadata: {
    readonly name: string
    readonly labels?: Record<string, string>
    readonly annotations?: Record<string, string>
    readonly managedFields?: ReadonlyArray<{ manager: string; operation: string }>
  }
  readonly spec: Record<string, unknown>
}

/** The service's ScrapeConfig for `serviceId` in the dev stack's namespace, if there is one. */
export const scrapeConfigObjectOf = (kube: KubeSimulator, serviceId: string): WireScrapeConfig | undefined =>
  kube.scrapeConfig(DEV_SCRAPE_CONFIG.namespace, scrapeConfigName(serviceId)) as WireScrapeConfig | undefined
