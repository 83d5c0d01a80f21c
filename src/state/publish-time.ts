/**
 * The time that orders a service's requests: the producer's publish time, but never later than
 * the moment the service accepted the request. A producer with a broken clock (a timestamp years
 * ahead) must not push its request ahead of everything else, nor make every later request look
 * older than it ("Superseded" for years: the service could never be deleted again).
 *
 * ingest caps new requests already; this cap also covers events and snapshots stored before it.
 */

/**
 * `publishedAt` capped at `acceptedAt`; undefined when the request carried no timestamp. ISO
 * instants from `toISOString()` compare as strings.
 */
export const orderTime = (publishedAt: string | undefined, acceptedAt: string): string | undefined =>
  publishedAt === undefined || publishedAt <= acceptedAt ? publishedAt : acceptedAt

/**
 * The newest publish time a service carried out, or null when it is not to be trusted. Every
 * completion is folded before the service's next event, so a value later than the last change can
 * only be a future timestamp recorded before the cap existed: it is forgotten, not capped (capped
 * at the last change, it would still make every later request look older).
 */
export const newestCarriedOut = (lastCompletedPublishedAt: string | null, lastChangeAt: string | null): string | null =>
  lastCompletedPublishedAt !== null && lastChangeAt !== null && lastCompletedPublishedAt > lastChangeAt ? null : lastCompletedPublishedAt

/**
 * Requests of one service may come through different topics and partitions, whose batches are
 * recorded in no particular order; the queue follows the producer's publish time instead. A head
 * that already made progress keeps its place (its remaining steps finish first); otherwise a
 * request published earlier goes in front: decide() works from the snapshot, so the steps a
 * displaced request already did are re-checked, never assumed.
 */
export const queuePosition = (
  pending: ReadonlyArray<{ readonly publishedAt?: string; readonly acceptedAt: string; readonly done: readonly unknown[] }>,
  publishedAt: string | undefined,
): number => {
  if (publishedAt === undefined) return pending.length
  const first = pending[0] !== undefined && pending[0].done.length > 0 ? 1 : 0
  for (let i = pending.length; i > first; i -= 1) {
    const queued = pending[i - 1]
    // capped again: a snapshot stored before the cap may hold a future publish time
    const before = queued === undefined ? undefined : orderTime(queued.publishedAt, queued.acceptedAt)
    if (before === undefined || before <= publishedAt) return i
  }
  return first
}
