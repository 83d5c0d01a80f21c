/**
 * Capacity: bytes one service's job takes in the secret, and how many services one secret holds.
 * A Secret's data is limited to 1 MiB (decoded bytes; the apiserver enforces it, the simulator
 * too), and the whole list lives under one key, so that limit is the number of services.
 */
import { renderScrapeConfigList, applyEdits, emptyScrapeConfigList } from '../test/support/rendered-scrape-list.js'
import { informative, type Figure } from './figure.js'
import { benchJob } from './jobs.js'

const SECRET_LIMIT = 1024 * 1024

const bytesOf = (namespaces: readonly string[]): number =>
  Buffer.byteLength(renderScrapeConfigList(applyEdits(emptyScrapeConfigList, [{ op: 'upsert', job: benchJob(0, 30180, namespaces) }])))

export const runCapacity = (): Figure[] => {
  const typical = bytesOf(['NAMESPACE_1', 'NAMESPACE_2'])
  const heavy = bytesOf(Array.from({ length: 10 }, (_, i) => `tenant-namespace-${String(i).padStart(2, '0')}`))
  return [
    informative(
      'C',
      'bytes per job (36-char serviceId, 2 namespaces, IPv4 target)',
      typical,
      'bytes',
      [typical],
      [`max services in one secret: floor(1 MiB / ${typical}) = ${Math.floor(SECRET_LIMIT / typical).toLocaleString('en-US')}`],
    ),
    informative(
      'C',
      'bytes per job (10 namespaces of 19 chars)',
      heavy,
      'bytes',
      [heavy],
      [`max services in one secret: floor(1 MiB / ${heavy}) = ${Math.floor(SECRET_LIMIT / heavy).toLocaleString('en-US')}`],
    ),
    informative(
      'C',
      'max services per secret (typical job)',
      Math.floor(SECRET_LIMIT / typical),
      'services',
      [Math.floor(SECRET_LIMIT / typical)],
      ['the secret is one key holding the whole list; Kubernetes caps Secret data at 1 MiB (decoded)'],
    ),
  ]
}
