/**
 * B4: the CPU cost of one edit to a near-1 MiB secret, as the writer does it: `applyJobEdits`
 * (one upsert that changes an existing owned job, spliced into the text) + `renderSplicedList` +
 * `renderOwnedJobs` + base64 of both keys (what the PUT body carries), median of many. The list
 * is cut into spans once (as the writer does once per resourceVersion). Two informative figures put it
 * in context: the whole `writeBatch` of one edit against an instant fake client (adds the set of
 * names, the "changed?" comparison and the byte count), and what the baselines do instead:
 * parse and stringify the whole YAML list.
 */
import { parse, stringify } from 'yaml'
import { parseScrapeList, type JobChange } from '../src/effects/prometheus/scrape-config-list.js'
import { applyEdits, emptyScrapeConfigList, renderScrapeConfigList, type ScrapeConfigList } from '../test/support/rendered-scrape-list.js'
import { writeBatch, type BatchWriteDeps } from '../src/effects/kube/secret/secret-batch-write.js'
import { renderOwnedJobs } from '../src/codecs/apis/owned-jobs.js'
import { applyJobEdits, type OwnedList } from '../src/effects/prometheus/owned-list-edits.js'
import { renderSplicedBytes, renderSplicedList } from '../src/effects/prometheus/scrape-list-spans.js'
import { memorySecret } from '../test/support/memory-secret.js'
import { informative, type Figure } from './figure.js'
import { benchJob } from './jobs.js'
import type { Sizes } from './sizes.js'
import { fmt, median, percentile } from './stats.js'

const timeMs = (fn: () => void): number => {
  const start = process.hrtime.bigint()
  fn()
  return Number(process.hrtime.bigint() - start) / 1e6
}

/** The list of `count` bench jobs, built by upserts as the service would. */
export const listOfJobs = (count: number): ScrapeConfigList =>
  applyEdits(
    emptyScrapeConfigList,
    Array.from({ length: count }, (_, i): JobChange => ({ op: 'upsert', job: benchJob(i) })),
  )

export const bytesPerBenchJob = (): number => Buffer.byteLength(renderScrapeConfigList(listOfJobs(1)))

export const runB4 = async (sizes: Sizes, log: (line: string) => void): Promise<Figure[]> => {
  const count = Math.floor(sizes.b4Bytes / bytesPerBenchJob())
  const list = listOfJobs(count)
  const bytes = Buffer.byteLength(renderScrapeConfigList(list))
  const edit = (i: number): JobChange => ({ op: 'upsert', job: benchJob(i % count, 30181 + i) })
  const parsed = parseScrapeList(renderScrapeConfigList(list))
  if (parsed._tag === 'Left') throw new Error(parsed.left.message)
  const cut = parsed.right.layout
  if (cut._tag === 'Left') throw new Error(cut.left)
  let owned: OwnedList = { list: cut.right, owned: new Set(list.entries.map((e) => e.jobName ?? '')) }
  const timeOneEdit = (i: number): number =>
    timeMs(() => {
      owned = applyJobEdits(owned, [edit(i)], 'bench').next
      renderSplicedBytes(owned.list).toString('base64')
      Buffer.from(renderOwnedJobs(owned.owned), 'utf8').toString('base64')
    })
  for (let i = 0; i < 20; i += 1) timeOneEdit(i) // warm-up
  const samples = Array.from({ length: sizes.b4Iterations }, (_, i) => timeOneEdit(i + 20))
  const p50 = median(samples)
  log(`  B4: ${count} jobs, ${fmt(bytes / 1024)} KiB: one edit + render + base64 median ${fmt(p50, 3)} ms, p99 ${fmt(percentile(samples, 99), 3)} ms`)

  // the whole batch write of one edit, minus the network: an instant client
  const deps: BatchWriteDeps = {
    client: memorySecret(renderSplicedList(owned.list), { owned: renderOwnedJobs(owned.owned) }).client,
    describe: 'bench',
    maxAttempts: 1,
    sleep: () => Promise.resolve(),
    random: Math.random,
    cache: undefined,
  }
  // new ports: the edits timed above are already in the list, and a batch that changes nothing is
  // confirmed with a fresh GET and parse (a different path, timed apart below)
  const changing = (i: number): JobChange => ({ op: 'upsert', job: benchJob(i % count, 40181 + i) })
  await writeBatch([changing(0)], deps) // fills the cache (one parse of the whole secret)
  const batchSamples: number[] = []
  for (let i = 0; i < Math.max(5, Math.floor(sizes.b4Iterations / 3)); i += 1) {
    const start = process.hrtime.bigint()
    await writeBatch([changing(i + 1)], deps)
    batchSamples.push(Number(process.hrtime.bigint() - start) / 1e6)
  }

  // an edit already in place: nothing changes, so the writer confirms it with a fresh GET and parse
  const noOpSamples = Array.from({ length: 3 }, () => 0)
  for (let i = 0; i < noOpSamples.length; i += 1) {
    const start = process.hrtime.bigint()
    await writeBatch([changing(1)], deps)
    noOpSamples[i] = Number(process.hrtime.bigint() - start) / 1e6
  }

  // what a straightforward listener does per edit: parse and dump the whole list
  const text = renderSplicedList(owned.list)
  const naive = Array.from({ length: 3 }, (_, i) =>
    timeMs(() => {
      const jobs = parse(text) as Array<{ job_name: string }>
      jobs.push(benchJob(count + i))
      Buffer.from(stringify(jobs, { aliasDuplicateObjects: false, lineWidth: 0 }), 'utf8').toString('base64')
    }),
  )
  return [
    {
      id: 'B4',
      name: `render + encode a ${fmt(bytes / 1024 / 1024, 2)} MiB secret after one edit`,
      value: p50,
      unit: 'ms',
      target: '<= 5 ms',
      pass: p50 <= 5,
      runs: [p50],
      notes: [
        `${count} jobs, ${bytes} bytes; median of ${samples.length} edits (after 20 warm-up), p99 ${fmt(percentile(samples, 99), 3)} ms; applyJobEdits (splice) + renderSplicedList + renderOwnedJobs + base64 of both keys`,
      ],
    },
    informative(
      'B4',
      'writeBatch of one edit on that secret, instant client (CPU only)',
      median(batchSamples),
      'ms',
      [median(batchSamples)],
      [`median of ${batchSamples.length}; includes the name set and the "changed?" comparison`],
    ),
    informative('B4', 'writeBatch of an edit already in place (confirmed by a fresh GET + full parse)', median(noOpSamples), 'ms', noOpSamples, [
      'median of 3; rare in practice (a retried step), the price of never trusting a cached no-op',
    ]),
    informative('B4', 'baseline style: YAML parse + stringify of the whole list per edit', median(naive), 'ms', naive, ['median of 3']),
  ]
}
