import type { ServiceEvent } from '../../src/codecs/events.js'
import type { AppendResult, EventStore, InboxEntry, InboxOutcome, StoredEvent } from '../../src/state/store/event-store.js'
import { fold } from '../../src/state/evolve.js'
import { initialServiceState, type ServiceState } from '../../src/state/service-state.js'

/**
 * The EventStore contract in memory: one array per service, appends refused unless the stream is
 * still at the expected version. `beforeAppend` lets a test slip in another writer's events just
 * before an append is checked, which is exactly the race the drain must survive.
 */
export class MemoryEventStore implements EventStore {
  readonly streams = new Map<string, ServiceEvent[]>()
  readonly pending = new Set<string>()
  readonly cleared: Array<readonly [string, number]> = []
  appends = 0
  beforeAppend: ((serviceId: string, attempt: number) => void) | undefined

  stream(serviceId: string): ServiceEvent[] {
    let stream = this.streams.get(serviceId)
    if (!stream) {
      stream = []
      this.streams.set(serviceId, stream)
    }
    return stream
  }

  seen(requests: readonly { readonly serviceId: string; readonly requestId: string }[]): Promise<readonly boolean[]> {
    return Promise.resolve(
      requests.map(({ serviceId, requestId }) => this.stream(serviceId).some((e) => e.type === 'RequestAccepted' && e.requestId === requestId)),
    )
  }

  accept(entries: readonly InboxEntry[]): Promise<readonly InboxOutcome[]> {
    return Promise.resolve(
      entries.map(({ serviceId, accepted, redelivered: again }): InboxOutcome => {
        const stream = this.stream(serviceId)
        const seen = stream.some((e) => e.type === 'RequestAccepted' && e.requestId === accepted.requestId)
        stream.push(seen ? again : accepted)
        this.pending.add(serviceId)
        return { serviceId, outcome: seen ? 'redelivered' : 'accepted', version: stream.length }
      }),
    )
  }

  load(serviceId: string): Promise<ServiceState> {
    return Promise.resolve(fold(initialServiceState(serviceId), this.stream(serviceId)))
  }

  append(serviceId: string, expectedVersion: number, events: readonly ServiceEvent[]): Promise<AppendResult> {
    this.appends += 1
    this.beforeAppend?.(serviceId, this.appends)
    const stream = this.stream(serviceId)
    if (stream.length !== expectedVersion) return Promise.resolve({ ok: false, actualVersion: stream.length })
    stream.push(...events)
    return Promise.resolve({ ok: true, version: stream.length })
  }

  readEvents(serviceId: string, afterVersion = 0): Promise<readonly StoredEvent[]> {
    return Promise.resolve(
      this.stream(serviceId)
        .slice(afterVersion)
        .map((event, i) => ({ version: afterVersion + i + 1, event })),
    )
  }

  readSnapshotText(): Promise<string | null> {
    return Promise.resolve(null)
  }

  writeSnapshot(): Promise<void> {
    return Promise.resolve()
  }

  listServices(): Promise<ReadonlyArray<{ serviceId: string; lastChangeMs: number }>> {
    return Promise.resolve([...this.streams.keys()].map((serviceId) => ({ serviceId, lastChangeMs: 0 })))
  }

  pendingServices(): Promise<readonly string[]> {
    return Promise.resolve([...this.pending])
  }

  clearPending(serviceId: string, version: number): Promise<void> {
    this.cleared.push([serviceId, version])
    if (this.stream(serviceId).length <= version) this.pending.delete(serviceId)
    return Promise.resolve()
  }

  ping(): Promise<boolean> {
    return Promise.resolve(true)
  }
}
