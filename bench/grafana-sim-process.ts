/**
 * The Grafana simulator alone in a process (for http-client-cost.ts: the client's CPU is then its
 * own process's). Prints `listening <url>` once it serves; stops on SIGTERM (spawnOwned also
 * has the kernel kill it with its parent).
 */
import { startGrafanaSimulator } from '../dev/grafana-simulator/server.js'

const sim = await startGrafanaSimulator()
process.stdout.write(`listening ${sim.url}\n`)
const stop = (): void => {
  void sim.stop().finally(() => process.exit(0))
}
process.on('SIGTERM', stop)
