import { expect } from 'chai'
import { runCli } from '../../../support/run-cli.js'

const ENV = { SECRET_NAMESPACE: 'monitoring', SECRET_NAME: 'scrape', SCRAPE_CONFIG_NAMESPACE: 'monitoring', REDIS_URL: 'redis://127.0.0.1:1' }

const run = (argv: string[], env: Record<string, string> = ENV) => runCli(['migrate', ...argv], env)

describe('migrate command: arguments (no servers reached)', () => {
  it('is listed in the usage and answers --help', async () => {
    expect((await run(['--help'])).stdout).to.match(/^Usage: telemetry-client migrate --to scrapeconfig\|secret/)
    const usage = (await runCli(['--help'], {})).stdout
    expect(usage).to.match(/^ {2}migrate {4}move the service's jobs between the secret and ScrapeConfig resources/m)
  })
  it('without a valid --to: exit 2, or 1 with --dry-run (where 2 means "something would move")', async () => {
    const missing = await run([])
    expect(missing.code).to.equal(2)
    expect(missing.stderr).to.match(/--to must be scrapeconfig or secret/)
    expect((await run(['--to', 'configmap'])).code).to.equal(2)
    expect((await run(['--to', 'configmap', '--dry-run'])).code).to.equal(1)
    expect((await run(['--bogus', '--dry-run'])).code).to.equal(1)
  })
  it('needs both backends configured: every missing variable is named (exit 1)', async () => {
    const result = await run(['--to', 'secret'], {})
    expect(result.code).to.equal(1)
    for (const name of ['SECRET_NAMESPACE', 'SECRET_NAME', 'SCRAPE_CONFIG_NAMESPACE']) expect(result.stderr).to.include(name)
  })
})
