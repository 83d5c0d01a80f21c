/**
 * A ScrapeConfig written behind the service's back (another operator, a human with kubectl), for
 * tests: stored without validation, recorded as an Update by the `kubectl` field manager so
 * server-side apply sees a foreign owner, and with a new resourceVersion like any write.
 */
import { updateFields, type JsonObject } from './managed-fields.js'
import { metadataOf } from './scrapeconfig-input.js'
import { nowText } from './scrapeconfig-operations.js'
import type { ScrapeConfigStore } from './scrapeconfig-store.js'
import { API_VERSION, KIND } from './scrapeconfig-status.js'

export const outOfBandScrapeConfig = (store: ScrapeConfigStore, namespace: string, input: Record<string, unknown>): void => {
  const given = structuredClone(input) as JsonObject
  const name = metadataOf(given)['name']
  if (typeof name !== 'string') throw new Error('setScrapeConfig: metadata.name is required')
  const { resourceVersion: _rv, uid: _uid, generation: _g, creationTimestamp: _ct, managedFields: _mf, ...metadata } = metadataOf(given)
  const object: JsonObject = { apiVersion: API_VERSION, kind: KIND, ...given, metadata: { ...metadata, name, namespace } }
  const current = store.get(namespace, name)
  const managers = updateFields(current?.object, object, current?.managers ?? [], 'kubectl', nowText(new Date()))
  store.write(namespace, name, object, managers)
}
