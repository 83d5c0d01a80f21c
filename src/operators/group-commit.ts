/**
 * groupCommit: at most one `write` in flight; every item that arrives while a write runs is
 * queued and all of them go into the next single write (up to `maxBatch`).
 *
 * This is what keeps N simultaneous secret edits down to a handful of Kubernetes writes: the
 * first edit is written alone, everything that piles up meanwhile rides the next write. The
 * queue is bounded by the callers, not here: each waiting lane has at most one edit outstanding,
 * so the queue never holds more items than there are active lanes.
 *
 * `write` must not error (its failures are values); if it does, the error is passed on.
 */
import { Observable, Subscription } from 'rxjs'

export const groupCommit =
  <T, R>(write: (batch: readonly T[]) => Observable<R>, maxBatch = Number.POSITIVE_INFINITY) =>
  (source: Observable<T>): Observable<R> =>
    new Observable<R>((subscriber) => {
      const queue: T[] = []
      // a container, not a variable: a write that completes during subscribe starts the next one from inside it
      const inFlight = new Subscription()
      let writing = false
      let sourceDone = false

      const flush = (): void => {
        if (writing || queue.length === 0) {
          if (!writing && sourceDone) subscriber.complete()
          return
        }
        writing = true
        const batch = queue.splice(0, Math.min(queue.length, maxBatch))
        const subscription = write(batch).subscribe({
          next: (value) => subscriber.next(value),
          error: (error: unknown) => subscriber.error(error),
          complete: () => {
            writing = false
            flush()
          },
        })
        if (!subscription.closed) inFlight.add(subscription)
      }

      const sourceSubscription = source.subscribe({
        next: (item) => {
          queue.push(item)
          flush()
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          sourceDone = true
          if (!writing) flush()
        },
      })

      return () => {
        sourceSubscription.unsubscribe()
        inFlight.unsubscribe()
      }
    })
