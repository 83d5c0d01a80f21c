import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { cliEntryArgs } from '../../support/cli-entry.js'

const SECRET = 'hunter2-Sup3r'

/** `telemetry-client run` as a real process: its exit code and everything it printed. */
const runWith = (env: Record<string, string>): Promise<{ code: number; output: string }> =>
  new Promise((resolve) => {
    execFile(process.execPath, [...cliEntryArgs(), 'run'], { env: { PATH: process.env['PATH'] ?? '', ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: typeof error?.code === 'number' ? error.code : 0, output: `${stdout}${stderr}` })
    })
  })

describe('telemetry-client run: no secret in a configuration error (real process)', function () {
  this.timeout(60_000)

  it('every secret-bearing variable rejected at once: exit 1, each named, no credential printed', async () => {
    const { code, output } = await runWith({
      KAFKA_BROKERS: `u:${SECRET}@kafka:9092`,
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: `${SECRET}\u0001`,
      REDIS_URL: `http://u:${SECRET}@redis:6379`,
      SECRET_NAMESPACE: 'monitoring',
      SECRET_NAME: 'scrape',
      GRAFANA_URL: `http://admin:${SECRET}@grafana:3000`,
      GRAFANA_PUBLIC_URL: `https://a:${SECRET}@g.example`,
      GRAFANA_TOKEN: `${SECRET}\u0001`,
    })
    expect(code).to.equal(1)
    for (const name of ['KAFKA_BROKERS', 'KAFKA_SASL_PASSWORD', 'REDIS_URL', 'GRAFANA_URL', 'GRAFANA_PUBLIC_URL', 'GRAFANA_TOKEN'])
      expect(output).to.include(`- ${name}:`)
    expect(output).not.to.include('hunter2')
  })
})
