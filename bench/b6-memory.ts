/**
 * B6: heap per tracked serviceId while idle, and that the heap returns to its baseline once the
 * idle lanes close.
 *
 * What is measured, precisely: `laneByKey` (the operator that holds the service's per-service
 * state in memory, src/operators/lane-by-key.ts) is driven with N distinct serviceId strings (UUID
 * length, created on the fly so the lane map holds the only reference) and a handler that
 * completes at once, as a drain that finds nothing to do. After all N handlers completed, every
 * lane is open and idle (its entry in the lane map and its pending idle-release timer):
 * heap(open) − heap(before), divided by N, is the figure. Then, after `idleMs`, every lane has
 * closed and heap(after) − heap(before) must be back near zero. Heap is `heapUsed` after a full
 * forced GC (V8's gc exposed at run time).
 *
 * Informative: heap per loaded snapshot, i.e. what caching N folded snapshots (one finished
 * create each) would cost; the service does not keep them (a drain loads, acts and lets go).
 */
import { EMPTY, Subject } from 'rxjs'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { laneByKey } from '../src/operators/lane-by-key.js'
import { informative, type Figure } from './figure.js'
import { benchServiceId } from './jobs.js'
import type { Sizes } from './sizes.js'
import { fmt, sleep, waitUntil } from './stats.js'

/** V8's gc(), exposed without restarting node (`--expose-gc` set at run time). */
export const forceGc = (): (() => void) => {
  const existing = (globalThis as { gc?: () => void }).gc
  if (existing !== undefined) return existing
  setFlagsFromString('--expose-gc')
  return runInNewContext('gc') as () => void
}

export const heapAfterGc = async (gc: () => void): Promise<number> => {
  for (let i = 0; i < 3; i += 1) {
    gc()
    await sleep(10)
  }
  return process.memoryUsage().heapUsed
}

export const runB6 = async (sizes: Sizes, log: (line: string) => void): Promise<Figure[]> => {
  const gc = forceGc()
  const n = sizes.b6Services
  const wake$ = new Subject<string>()
  let open = 0
  let handled = 0
  const before = await heapAfterGc(gc)
  const subscription = wake$
    .pipe(
      laneByKey(
        (serviceId) => serviceId,
        () => {
          handled += 1
          return EMPTY
        },
        { maxActive: 64, idleMs: sizes.b6IdleMs, coalesce: true, onLaneCount: (count) => (open = count) },
      ),
    )
    .subscribe()
  const started = performance.now()
  for (let i = 0; i < n; i += 1) wake$.next(`${benchServiceId(i)}`)
  await waitUntil(() => handled === n, 60_000, 'every lane to run once')
  const heapOpen = await heapAfterGc(gc)
  const openLanes = open
  const elapsed = performance.now() - started
  if (elapsed > sizes.b6IdleMs) log(`  B6: warning: filling took ${fmt(elapsed, 0)} ms, longer than idleMs; some lanes closed before the measurement`)
  await waitUntil(() => open === 0, sizes.b6IdleMs + 30_000, 'every idle lane to close', 100)
  const heapClosed = await heapAfterGc(gc)
  subscription.unsubscribe()
  wake$.complete()

  const perLane = (heapOpen - before) / n
  const residue = heapClosed - before
  // "back to baseline": what stays is less than 2% of what N open lanes took (or 256 KiB)
  const returned = residue <= Math.max(256 * 1024, 0.02 * (heapOpen - before))
  log(`  B6: ${openLanes} open idle lanes: ${fmt(perLane, 0)} B each; after idle release ${fmt(residue / 1024, 0)} KiB above baseline`)

  // informative: what N loaded snapshots would weigh (built by JSON.parse, as load() decodes them)
  const snapshotText = JSON.stringify({
    serviceId: benchServiceId(0),
    version: 6,
    status: 'active',
    lastChangeAt: '2024-10-30T09:28:35.000Z',
    job: { jobName: benchServiceId(0), fingerprint: 'fedcba9876543210' },
    dashboards: {
      metrics: {
        uid: `m-${benchServiceId(0)}`,
        id: 1,
        url: `/d/m-${benchServiceId(0)}`,
        version: 1,
        folderUid: 'etsi-hypo-app-metrics',
        fingerprint: '0123456789abcdef',
      },
      logs: {
        uid: `l-${benchServiceId(0)}`,
        id: 2,
        url: `/d/l-${benchServiceId(0)}`,
        version: 1,
        folderUid: 'etsi-hypo-end-user-service-logs',
        fingerprint: '0123456789abcdef',
      },
    },
    pending: [],
    outstanding: [],
    completed: [
      {
        requestId: 'r',
        resultId: 'x',
        status: 'SUCCESS',
        result: { topic: 'sonata-service-dashboard-result', key: benchServiceId(0), value: 'x'.repeat(600) },
      },
    ],
  })
  const snapshots = Math.min(n, 100_000)
  const beforeSnapshots = await heapAfterGc(gc)
  const held: unknown[] = []
  for (let i = 0; i < snapshots; i += 1) held.push(JSON.parse(snapshotText.replaceAll('00000000', i.toString(16).padStart(8, '0'))))
  const withSnapshots = await heapAfterGc(gc)
  const perSnapshot = (withSnapshots - beforeSnapshots) / held.length
  held.length = 0

  return [
    {
      id: 'B6',
      name: `heap per tracked serviceId, ${n.toLocaleString('en-US')} idle lanes open`,
      value: perLane,
      unit: 'bytes',
      target: '<= 2 KB; heap returns to baseline after idle lanes close',
      pass: perLane <= 2048 && returned,
      runs: [perLane],
      notes: [
        `heap before ${fmt(before / 1048576)} MiB, ${openLanes} lanes open ${fmt(heapOpen / 1048576)} MiB, after idle release ${fmt(heapClosed / 1048576)} MiB (${fmt(residue / 1024, 0)} KiB above baseline: ${returned ? 'returned' : 'NOT returned'})`,
        'per lane: map entry + lane record + serviceId string + the idle-release timer (rxjs AsyncAction + Node Timeout)',
      ],
    },
    informative(
      'B6',
      'heap per loaded snapshot (one finished create), if snapshots were cached',
      perSnapshot,
      'bytes',
      [perSnapshot],
      [`${snapshots.toLocaleString('en-US')} snapshots via JSON.parse; the service does not cache snapshots`],
    ),
  ]
}
