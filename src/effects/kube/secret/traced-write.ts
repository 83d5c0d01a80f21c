/**
 * The group-committed secret write as one span, in its own trace, linked from every request
 * (step) it carried: a write serves many traces at once, so it is the child of none. Its
 * Kubernetes calls are CLIENT spans under it (the scope is opened here, so a write never
 * inherits the context of whichever lane's queued edit happened to start it).
 */
import { Observable, type Observable as Obs } from 'rxjs'
import type { TraceContext } from '../../../support/tracing/trace-context.js'
import { failSpan, traceContextOfSpan, type Tracing } from '../../../support/tracing/tracing.js'

export const tracedWrite = <T>(tracing: Tracing, queued: readonly { readonly trace?: TraceContext }[], write: () => Obs<T>): Obs<T> => {
  if (!tracing.enabled) return new Observable<T>((subscriber) => write().subscribe(subscriber))
  return new Observable<T>((subscriber) => {
    const span = tracing.startSpan('write secret', undefined, {
      links: queued.map((t) => t.trace),
      attributes: { 'telemetry.batch.size': queued.length },
    })
    let ended = false
    const end = () => {
      if (!ended) span.end()
      ended = true
    }
    const subscription = tracing.within(traceContextOfSpan(span), () =>
      write().subscribe({
        next: (value) => subscriber.next(value),
        error: (error: unknown) => {
          failSpan(span, error)
          end()
          subscriber.error(error)
        },
        complete: () => {
          end()
          subscriber.complete()
        },
      }),
    )
    return () => {
      subscription.unsubscribe()
      end()
    }
  })
}
