/**
 * The Redis key layout. One service's keys share the hash tag `{svc:<serviceId>}`, so its stream,
 * version counter, dedupe set and snapshot live in one Redis Cluster slot and a Lua script can
 * touch them atomically. The two indexes are single keys of their own (each script touches one slot).
 *
 *   <prefix>{svc:<id>}:events    stream, entry id 0-<version>, fields: e = event JSON
 *   <prefix>{svc:<id>}:version   number of events in the stream (the expected-version guard)
 *   <prefix>{svc:<id>}:seen      hash CloudEvent id → version it was accepted at (inbox dedupe)
 *   <prefix>{svc:<id>}:lease     which replica works on the service right now (short TTL)
 *   <prefix>{svc:<id>}:snapshot  JSON of the ServiceState folded up to its `version` (the bytes `replay` must reproduce)
 *   <prefix>services             zset serviceId → ms of the last change (list, replay)
 *   <prefix>pending              zset serviceId → version of the newest accepted request (work to resume)
 */
export interface ServiceKeys {
  readonly events: string
  readonly version: string
  readonly seen: string
  readonly snapshot: string
  readonly lease: string
}

export const serviceKeys = (prefix: string, serviceId: string): ServiceKeys => {
  const tag = `${prefix}{svc:${serviceId}}`
  return { events: `${tag}:events`, version: `${tag}:version`, seen: `${tag}:seen`, snapshot: `${tag}:snapshot`, lease: `${tag}:lease` }
}

export const indexKeys = (prefix: string) => ({ services: `${prefix}services`, pending: `${prefix}pending` }) as const

/** Stream entry ids are `0-<version>`, so "events after version n" is a plain XRANGE. */
export const entryIdOf = (version: number): string => `0-${version}`
export const versionOfEntryId = (id: string): number => Number(id.slice(id.indexOf('-') + 1))
