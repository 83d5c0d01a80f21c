/**
 * What one dashboard save costs the client's CPU, by HTTP client: the service's Grafana transport
 * (ky over the platform's fetch, as every save goes), the platform's fetch alone, and node:http
 * with a keep-alive agent. The simulator runs in a process of its own, so process.cpuUsage() here
 * is the client's alone. The body is the metrics dashboard the service saves; 32 saves in flight,
 * the transport's own limit. It shows how much of B11's "network I/O" is the client library
 * rather than the sockets, and what a create's two saves would cost with a leaner client.
 */
import http from 'node:http'
import { resolve } from 'node:path'
import { spawnOwned } from '../dev/process-utils.js'
import { metricsDashboard } from '../src/effects/grafana/dashboards.js'
import { createGrafanaTransport } from '../src/effects/grafana/grafana-transport.js'
import { informative, type Figure } from './figure.js'
import { fmt, waitUntil } from './stats.js'

const TOKEN = 'sim-grafana-token'
const IN_FLIGHT = 32

type Save = (uid: string) => Promise<void>

/** Each client builds the dashboard and encodes it once, as a save in the service does. */
const saveRequest = (uid: string): Record<string, unknown> => ({
  dashboard: {
    ...metricsDashboard({ serviceId: uid, namespaces: ['NAMESPACE_1', 'NAMESPACE_2'], prometheusDatasourceUid: 'prometheus', lokiDatasourceUid: 'loki' }),
    uid,
    id: null,
  },
  folderUid: '',
  overwrite: true,
})

/** CPU ms of this process per save, `count` saves with IN_FLIGHT at once (after a warm-up). */
const cpuPerSave = async (save: Save, count: number): Promise<number> => {
  const run = async (n: number): Promise<void> => {
    let next = 0
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        // uids cycle over 100 dashboards: the simulator's versions stay few
        for (let i = next++; i < n; i = next++) await save(`bench-http-${i % 100}`)
      }),
    )
  }
  await run(Math.min(500, count))
  const before = process.cpuUsage()
  await run(count)
  const spent = process.cpuUsage(before)
  return (spent.user + spent.system) / 1000 / count
}

const clients = (baseUrl: string): ReadonlyArray<readonly [string, Save]> => {
  const transport = createGrafanaTransport({ baseUrl, auth: { token: TOKEN } })
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }
  const url = new URL('api/dashboards/db', `${baseUrl}/`)
  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT })
  const expectOk = (status: number): void => {
    if (status !== 200) throw new Error(`save answered ${status}`)
  }
  return [
    [
      "the service's Grafana transport (ky over fetch)",
      async (uid) => {
        const answer = await transport.send({ kind: 'bench.save', operation: 'bench save', method: 'post', path: 'api/dashboards/db', json: saveRequest(uid) })
        expectOk(answer.status)
      },
    ],
    [
      'the platform fetch alone',
      async (uid) => {
        const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(saveRequest(uid)), signal: AbortSignal.timeout(10_000) })
        await response.text()
        expectOk(response.status)
      },
    ],
    [
      'node:http, keep-alive agent',
      (uid) =>
        new Promise<void>((done, fail) => {
          const body = JSON.stringify(saveRequest(uid))
          const request = http.request(
            url,
            { method: 'POST', agent, timeout: 10_000, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
            (response) => {
              response.on('data', () => undefined)
              response.on('end', () => (response.statusCode === 200 ? done() : fail(new Error(`save answered ${response.statusCode ?? 0}`))))
            },
          )
          request.on('error', fail)
          request.end(body)
        }),
    ],
  ]
}

export const runHttpClientCost = async (count: number, log: (line: string) => void): Promise<Figure[]> => {
  const sim = spawnOwned(process.execPath, ['--import', 'tsx', resolve('bench/grafana-sim-process.ts')], { logLines: 50 })
  try {
    await waitUntil(() => sim.log.text().includes('listening ') || sim.hasExited(), 30_000, 'the Grafana simulator process', 50)
    const baseUrl = /listening (\S+)/.exec(sim.log.text())?.[1]
    if (baseUrl === undefined) throw new Error(`the Grafana simulator did not start:\n${sim.log.text()}`)
    const measured: Array<readonly [string, number]> = []
    for (const [name, save] of clients(baseUrl)) {
      const ms = await cpuPerSave(save, count)
      log(`  B11 HTTP client: ${fmt(ms, 3)} CPU ms per save, ${name}`)
      measured.push([name, ms])
    }
    const leanest = measured[measured.length - 1]?.[1] ?? 1
    const bodyBytes = Buffer.byteLength(JSON.stringify(saveRequest('bench-http-0')))
    return measured.map(([name, ms]) =>
      informative(
        'B11',
        `HTTP client CPU ms per dashboard save: ${name}`,
        ms,
        'ms',
        [ms],
        [
          `x${fmt(ms / leanest, 2)} vs node:http; ${count} saves of ${fmt(bodyBytes / 1024, 1)} KiB (the metrics dashboard), ${IN_FLIGHT} in flight, to the Grafana simulator in its own process; process.cpuUsage of the client only`,
        ],
      ),
    )
  } finally {
    await sim.stop()
  }
}
