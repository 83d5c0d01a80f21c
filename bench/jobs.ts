/** Scrape jobs of a realistic shape for the CPU benchmarks: a UUID-long serviceId, two namespaces. */
import { federationJob, type ScrapeJob } from '../src/effects/prometheus/scrape-job.js'

export const benchServiceId = (i: number): string => `${i.toString(16).padStart(8, '0')}-2097-4c3b-a40c-a9e791cdccbb`

export const benchJob = (i: number, port = 30180, namespaces: readonly string[] = ['NAMESPACE_1', 'NAMESPACE_2']): ScrapeJob =>
  federationJob({ serviceId: benchServiceId(i), namespaces, host: '10.10.10.4', port })
