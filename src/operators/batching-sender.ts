/**
 * Result messages from many lanes go out together: every record submitted while a send is in
 * flight rides the next single `sendBatch`, the same group commit the secret writer uses. Each
 * caller's promise settles with the outcome of the send that carried its record, so a lane only
 * records `ResultPublished` after the broker acknowledged its own message.
 */
import { Subject, catchError, defaultIfEmpty, defer, from, map, of, type ObservableInput } from 'rxjs'
import type { OutgoingRecord } from '../codecs/events.js'
import { groupCommit } from './group-commit.js'

interface Pending {
  readonly record: OutgoingRecord
  readonly settle: (error?: Error) => void
}

export interface BatchingSender {
  send(record: OutgoingRecord): Promise<void>
  close(): void
}

/**
 * Per record: undefined = out, an Error = that record failed. A sender may also answer void (all
 * out) or throw (all failed). Per-record answers let one record the broker refuses for good fail
 * alone, so the other lanes' results of the same batch are not sent again.
 */
export type BatchOutcomes = readonly (Error | undefined)[] | void

// sendBatch acknowledges with one value: a Promise in production, a cold observable in marble specs
export const createBatchingSender = (sendBatch: (records: readonly OutgoingRecord[]) => ObservableInput<BatchOutcomes>, maxBatch = 500): BatchingSender => {
  const pending = new Subject<Pending>()
  const subscription = pending
    .pipe(
      groupCommit(
        (batch) =>
          defer(() => from(sendBatch(batch.map((p) => p.record)))).pipe(
            // an acknowledgement without a value (a Promise<void>, an empty observable) means all out
            defaultIfEmpty(undefined),
            map((outcomes) => batch.forEach((p, i) => p.settle(outcomes?.[i]))),
            catchError((error: unknown) => {
              const failure = error instanceof Error ? error : new Error('result send failed', { cause: error })
              return of(batch.forEach((p) => p.settle(failure)))
            }),
          ),
        maxBatch,
      ),
    )
    .subscribe()
  return {
    send: (record) =>
      new Promise<void>((resolve, reject) => {
        pending.next({ record, settle: (error?: Error) => (error === undefined ? resolve() : reject(error)) })
      }),
    close: () => {
      pending.complete()
      subscription.unsubscribe()
    },
  }
}
