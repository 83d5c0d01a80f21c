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
  ['dashboard build + JSON encode (Grafana client, ky)', /\/src\/effects\/(dashboards|desired-state|upsert-dashboard|grafana-[a-z-]+|promql|dashboard-uids|folders|delete-dashboards)\.ts|\/node_modules\/(ky|@grafana)\//],
  ['YAML splice, scrape job (secret list / ScrapeConfig)', /\/src\/effects\/(scrape-[a-z-]+|owned-list-edits|secret-[a-z-]+|register-job|remove-job|job-size|target-policy)\.ts|\/node_modules\/(js-yaml|yaml)\//],
  ['Kubernetes client (client-node)', /\/node_modules\/@kubernetes\/|\/src\/effects\/kube-[a-z-]+\.ts/],
  ['HTTP: fetch (undici), sockets', /node:internal\/deps\/undici|^node:(net|http|_http_[a-z]+|internal\/(net|stream_base_commons|http))/],
  ['RxJS lanes and operators', /\/node_modules\/rxjs\/|\/src\/(operators|streams)\//],
  ['logging (pino)', /\/node_modules\/(pino|sonic-boom|thread-stream|pino-std-serializers)\/|\/src\/support\//],
  ['metrics (prom-client)', /\/node_modules\/prom-client\//],
]
const STARTUP = /\/node_modules\/(tsx|esbuild|get-tsconfig)\/|node:internal\/modules\//

export interface Breakdown {
  /** CPU ms per part, requests only (start-up left out) */
  readonly parts: ReadonlyMap<string, number>
  readonly totalMs: number
  readonly startupMs: number
  readonly file: string
}

export const breakdownOf = (profile: Profiler.Profile, file: string): Breakdown => {
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  // one sample per entry of `samples`, each lasting its time delta (µs)
  const micros = new Map<number, number>()
  profile.samples?.forEach((id, i) => micros.set(id, (micros.get(id) ?? 0) + (profile.timeDeltas?.[i] ?? 0)))
  const parts = new Map<string, number>()
  let totalUs = 0
  let startupUs = 0
  for (const [id, us] of micros) {
    const leaf = byId.get(id)
    const name = leaf?.callFrame.functionName ?? ''
    if (name === '(idle)' || name === '(program)' || name === '(root)') continue
    const urls: string[] = []
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) urls.push(byId.get(at)?.callFrame.url.replace(/^file:\/\//, '') ?? '')
    if (urls.some((url) => STARTUP.test(url))) {
      startupUs += us
      continue
    }
    totalUs += us
    const part = name === '(garbage collector)' ? '(garbage collector)' : (urls.map((url) => PARTS.find(([, re]) => re.test(url))?.[0]).find((p) => p !== undefined) ?? 'other (Node internals, timers, promises)')
    parts.set(part, (parts.get(part) ?? 0) + us)
  }
  return { parts: new Map([...parts].map(([k, v]) => [k, v / 1000])), totalMs: totalUs / 1000, startupMs: startupUs / 1000, file }
}

export const readBreakdown = async (file: string): Promise<Breakdown> => breakdownOf(JSON.parse(await readFile(file, 'utf8')) as Profiler.Profile, file)

/** Markdown rows: part, CPU ms per create, share. */
export const breakdownTable = (b: Breakdown, creates: number): string =>
  [
    '| part | CPU ms per create | share |',
    '|---|---:|---:|',
    ...[...b.parts]
      .sort((x, y) => y[1] - x[1])
      .map(([part, ms]) => `| ${part} | ${(ms / creates).toFixed(3)} | ${((ms / Math.max(1e-9, b.totalMs)) * 100).toFixed(1)}% |`),
    `| **total (requests only; start-up ${(b.startupMs / 1000).toFixed(1)} s CPU left out)** | **${(b.totalMs / creates).toFixed(3)}** | 100% |`,
  ].join('\n')
