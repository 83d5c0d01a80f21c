/**
 * Where one create's CPU goes in the service process: a `node --cpu-prof` profile of the service
 * (its own process, simulators elsewhere), each sample charged to the innermost frame that belongs
 * to one of the parts (decode, Redis scripts, fold/decide, dashboard build and JSON encode,
 * YAML splice, Kafka encode), so a JSON.stringify called by the Grafana client counts as
 * "dashboard build + JSON encode" and not as native code. Samples under module loading (tsx
 * compiling the sources at start) are start-up, not requests, and are left out.
 */
import { readFile } from 'node:fs/promises'
import type { Profiler } from 'node:inspector'

export const PARTS: ReadonlyArray<readonly [string, RegExp]> = [
  ['Kafka encode/decode (kafkajs, streams/kafka)', /\/node_modules\/kafkajs\/|\/src\/streams\/kafka\//],
  ['Redis: client, Lua scripts, event store', /\/node_modules\/(ioredis|@ioredis|redis-parser|redis-errors|denque)\/|\/src\/state\/store\//],
  ['fold/decide (evolve, decide, immer)', /\/src\/state\/(evolve|decide|service-state|step|ids|result-message|publish-time)\.ts|\/node_modules\/immer\//],
  ['decode: io-ts codecs', /\/node_modules\/(io-ts|fp-ts)\/|\/src\/codecs\/|\/src\/state\/(event-codec|snapshot-codec)\.ts/],
  [
    'dashboard build + JSON encode (Grafana client, ky)',
    /\/src\/effects\/(grafana\/|desired-state\.ts|steps\/(upsert-dashboard|delete-dashboards)\.ts)|\/node_modules\/(ky|@grafana)\//,
  ],
  [
    'YAML splice, scrape job (secret list / ScrapeConfig)',
    /\/src\/effects\/(prometheus\/|kube\/(secret|scrapeconfig)\/|kube\/scrape-targets\.ts|steps\/(register-job|remove-job)\.ts)|\/node_modules\/yaml\//,
  ],
  ['Kubernetes client (client-node)', /\/node_modules\/@kubernetes\/|\/src\/effects\/kube\/kube-[a-z-]+\.ts/],
  [
    'network I/O: fetch (undici) and sockets (HTTP and Kafka)',
    /node:internal\/deps\/undici|^node:(net|http|_http_[a-z]+|internal\/(net|stream_base_commons|http))/,
  ],
  ['RxJS lanes and operators', /\/node_modules\/rxjs\/|\/src\/(operators|streams)\//],
  ['logging (pino)', /\/node_modules\/(pino|sonic-boom|thread-stream|pino-std-serializers)\/|\/src\/support\//],
  ['metrics (prom-client)', /\/node_modules\/prom-client\//],
]
const STARTUP = /\/node_modules\/(tsx|esbuild|get-tsconfig)\/|node:internal\/modules\//

export interface Breakdown {
  /** profiler samples per part, requests only (start-up left out) */
  readonly parts: ReadonlyMap<string, number>
  readonly samples: number
  readonly startupSamples: number
  readonly file: string
}

export const breakdownOf = (profile: Profiler.Profile, file: string): Breakdown => {
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  // samples are counted, not their time deltas: a delta is wall time, and on a loaded machine a
  // descheduled thread's next sample would carry the wait; shares are scaled to /proc's CPU later
  const counts = new Map<number, number>()
  profile.samples?.forEach((id) => counts.set(id, (counts.get(id) ?? 0) + 1))
  const parts = new Map<string, number>()
  let samples = 0
  let startupSamples = 0
  for (const [id, n] of counts) {
    const leaf = byId.get(id)
    const name = leaf?.callFrame.functionName ?? ''
    if (name === '(idle)' || name === '(program)' || name === '(root)') continue
    const urls: string[] = []
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) urls.push(byId.get(at)?.callFrame.url.replace(/^file:\/\//, '') ?? '')
    if (urls.some((url) => STARTUP.test(url))) {
      startupSamples += n
      continue
    }
    samples += n
    const part =
      name === '(garbage collector)'
        ? '(garbage collector)'
        : (urls.map((url) => PARTS.find(([, re]) => re.test(url))?.[0]).find((p) => p !== undefined) ?? 'other (Node internals, timers, promises)')
    parts.set(part, (parts.get(part) ?? 0) + n)
  }
  return { parts, samples, startupSamples, file }
}

export const readBreakdown = async (file: string): Promise<Breakdown> => breakdownOf(JSON.parse(await readFile(file, 'utf8')) as Profiler.Profile, file)

/** Markdown rows: part, its share of the samples, and that share of the measured CPU ms per create. */
export const breakdownTable = (b: Breakdown, cpuMsPerCreate: number): string =>
  [
    '| part | share of samples | CPU ms per create |',
    '|---|---:|---:|',
    ...[...b.parts]
      .sort((x, y) => y[1] - x[1])
      .map(
        ([part, n]) =>
          `| ${part} | ${((n / Math.max(1e-9, b.samples)) * 100).toFixed(1)}% | ${((n / Math.max(1e-9, b.samples)) * cpuMsPerCreate).toFixed(2)} |`,
      ),
    `| **total (measured by /proc; start-up samples left out: ${((b.startupSamples / Math.max(1e-9, b.samples + b.startupSamples)) * 100).toFixed(0)}% of all)** | 100% | **${cpuMsPerCreate.toFixed(2)}** |`,
  ].join('\n')
