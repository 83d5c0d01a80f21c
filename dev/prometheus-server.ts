/**
 * A throwaway real Prometheus server (Debian's `prometheus`, on PATH, installed by
 * scripts/install-system-deps.sh) for the integration tests and the local stack: a "managed
 * cluster" Prometheus scraping a sample exporter, or the "central" one that scrapes the service's
 * federation jobs.
 *
 * It runs in the foreground as our own child (see process-utils), on loopback, with its TSDB in a
 * temp dir removed on stop(). `--web.enable-lifecycle` allows `POST /-/reload`, the way the
 * Prometheus Operator's config reloader makes a running server re-read its configuration file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LOOPBACK, awaitServerReady, retryOnAddressInUse } from './free-port.js'
import { spawnOwned, type OwnedProcess } from './process-utils.js'

export interface PrometheusServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly port: number
  /** `127.0.0.1:<port>`, as a scrape target */
  readonly address: string
  /** writes the configuration file and makes the server re-read it (POST /-/reload); throws on a refused config */
  reload(configYaml: string): Promise<void>
  /** GET `path` (e.g. `/api/v1/targets`) and the decoded JSON body */
  get(path: string, params?: Readonly<Record<string, string>>): Promise<unknown>
  stop(): Promise<void>
}

const ready = async (url: string): Promise<boolean> => {
  try {
    return (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) })).status === 200
  } catch {
    return false
  }
}

const launch = (port: number, configPath: string, dataDir: string, timeoutMs: number): Promise<OwnedProcess> => {
  const server = spawnOwned('prometheus', [
    `--config.file=${configPath}`,
    `--storage.tsdb.path=${dataDir}`,
    `--web.listen-address=${LOOPBACK}:${port}`,
    '--web.enable-lifecycle',
    '--log.level=warn',
  ])
  const url = `http://${LOOPBACK}:${port}`
  // ours answers only once it has bound the port; another server there would have made ours exit
  return awaitServerReady(server, 'prometheus', port, () => ready(url), { timeoutMs, everyMs: 100 })
}

export const startPrometheusServer = async (configYaml: string, options: { readonly startTimeoutMs?: number } = {}): Promise<PrometheusServer> => {
  const dir = await mkdtemp(join(tmpdir(), 'prometheus-test-'))
  const configPath = join(dir, 'prometheus.yml')
  await writeFile(configPath, configYaml, 'utf8')
  let server: OwnedProcess
  let port: number
  try {
    ;[port, server] = await retryOnAddressInUse(async (p) => [p, await launch(p, configPath, join(dir, 'data'), options.startTimeoutMs ?? 20_000)] as const)
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw error
  }
  const url = `http://${LOOPBACK}:${port}`
  return {
    url,
    port,
    address: `${LOOPBACK}:${port}`,
    reload: async (yaml) => {
      await writeFile(configPath, yaml, 'utf8')
      const answer = await fetch(`${url}/-/reload`, { method: 'POST', signal: AbortSignal.timeout(10_000) })
      if (answer.status !== 200) throw new Error(`prometheus refused the configuration (${answer.status}): ${await answer.text()}`)
    },
    get: async (path, params = {}) => {
      const answer = await fetch(`${url}${path}?${new URLSearchParams(params).toString()}`, { signal: AbortSignal.timeout(10_000) })
      return await answer.json()
    },
    stop: async () => {
      await server.stop('SIGTERM')
      await rm(dir, { recursive: true, force: true })
    },
  }
}
