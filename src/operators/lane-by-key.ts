/**
 * laneByKey: one lane per key. Items of one key are handled strictly one after another, in
 * arrival order (each lane is a concatMap); lanes of different keys run in parallel, at most
 * `maxActive` at once (lanes waiting for a slot queue up in FIFO order, so no key starves).
 *
 * Why not `groupBy` + `mergeMap(concurrency)`: a bounded mergeMap over groups drops the values a
 * group emits before it is subscribed, and a group closed by an idle timer can reopen while its
 * old instance still works, running one key twice at once. Here a lane is released only when it
 * is idle, i.e. nothing queued AND nothing running for `idleMs`, so per-key order survives
 * lane turnover, and idle keys cost no memory (100,000 services need not mean 100,000 lanes).
 *
 * `coalesce`: a lane keeps at most one waiting item and the newest replaces it. Right for wake-up
 * signals ("service X has work"), where one later run sees everything the dropped ones would have.
 *
 * `handle` must not error (errors belong inside it, as events); if it does, `onHandlerError`
 * hears of it and the lane moves on, so one bad item never kills the stream.
 */
import { Observable, Subscription, asyncScheduler, defer, type SchedulerLike } from 'rxjs'

export interface LaneOptions {
  readonly maxActive: number
  readonly idleMs: number
  readonly coalesce?: boolean
  readonly scheduler?: SchedulerLike
  readonly onHandlerError?: (key: string, error: unknown) => void
  /** told whenever the number of open lanes changes (for metrics and tests) */
  readonly onLaneCount?: (open: number) => void
}

interface Lane<T> {
  readonly queue: T[]
  running: boolean
  waiting: boolean
  idle: Subscription | undefined
}

export const laneByKey =
  <T, R>(keyOf: (item: T) => string, handle: (item: T) => Observable<R>, options: LaneOptions) =>
  (source: Observable<T>): Observable<R> =>
    new Observable<R>((subscriber) => {
      const scheduler = options.scheduler ?? asyncScheduler
      const lanes = new Map<string, Lane<T>>()
      const ready: string[] = []
      const running = new Set<Subscription>()
      let active = 0
      let sourceDone = false

      const countChanged = () => options.onLaneCount?.(lanes.size)
      const maybeComplete = () => {
        if (sourceDone && active === 0 && ready.length === 0) subscriber.complete()
      }

      const release = (key: string, lane: Lane<T>) => {
        lane.idle = scheduler.schedule(() => {
          if (lanes.get(key) === lane && !lane.running && lane.queue.length === 0) {
            lanes.delete(key)
            countChanged()
          }
        }, options.idleMs)
      }

      const start = (key: string, lane: Lane<T>) => {
        const item = lane.queue.shift() as T
        lane.running = true
        active += 1
        let finished = false
        const finish = () => {
          if (finished) return
          finished = true
          lane.running = false
          active -= 1
          if (lane.queue.length > 0) enqueue(key, lane)
          else release(key, lane)
          pump()
          maybeComplete()
        }
        // a handler may complete (or throw: defer) during subscribe itself, so the lane's handle on
        // the work exists before the work is subscribed
        const work = new Subscription()
        running.add(work)
        const done = () => {
          running.delete(work)
          finish()
        }
        work.add(
          defer(() => handle(item)).subscribe({
            next: (value) => subscriber.next(value),
            error: (error: unknown) => {
              options.onHandlerError?.(key, error)
              done()
            },
            complete: done,
          }),
        )
      }

      const pump = () => {
        while (active < options.maxActive && ready.length > 0) {
          const key = ready.shift() as string
          const lane = lanes.get(key)
          if (!lane) continue
          lane.waiting = false
          start(key, lane)
        }
      }

      const enqueue = (key: string, lane: Lane<T>) => {
        if (lane.running || lane.waiting) return
        lane.waiting = true
        ready.push(key)
      }

      const sourceSubscription = source.subscribe({
        next: (item) => {
          const key = keyOf(item)
          let lane = lanes.get(key)
          if (!lane) {
            lane = { queue: [], running: false, waiting: false, idle: undefined }
            lanes.set(key, lane)
            countChanged()
          }
          lane.idle?.unsubscribe()
          lane.idle = undefined
          if (options.coalesce === true && lane.queue.length > 0) lane.queue[lane.queue.length - 1] = item
          else lane.queue.push(item)
          enqueue(key, lane)
          pump()
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          sourceDone = true
          maybeComplete()
        },
      })

      return () => {
        sourceSubscription.unsubscribe()
        for (const subscription of running) subscription.unsubscribe()
        for (const lane of lanes.values()) lane.idle?.unsubscribe()
        lanes.clear()
      }
    })
