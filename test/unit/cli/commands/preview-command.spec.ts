/**
 * Golden tests of `telemetry-client preview`: the spec's sample messages and rejected ones, run
 * in-process with an EMPTY environment (preview needs no server, so none is configured). The
 * expected outputs live in test/fixtures/golden/preview; `UPDATE_GOLDEN=1` rewrites them.
 */
import { expect } from 'chai'
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { runCli } from '../../../support/run-cli.js'
import { samplePlatformRequest } from '../../../../dev/sample-requests.js'
import { createRequestSample, deleteRequestSample } from '../../../fixtures/spec-samples.js'

const GOLDEN = fileURLToPath(new URL('../../../fixtures/golden/preview/', import.meta.url))
const NOW = new Date('2026-01-02T03:04:05.000Z')

const run = (argv: readonly string[], stdin: string, env: Readonly<Record<string, string>> = {}) =>
  runCli(['preview', '-', ...argv], env, { stdin, now: () => NOW })

const matchesGolden = (name: string, actual: string): void => {
  const path = `${GOLDEN}${name}`
  if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(path)) writeFileSync(path, actual)
  expect(actual).to.equal(readFileSync(path, 'utf8'), `golden file ${name} (UPDATE_GOLDEN=1 rewrites it)`)
}

const SCRAPECONFIG_MODE = { SCRAPE_CONFIG_BACKEND: 'scrapeconfig', SCRAPE_CONFIG_NAMESPACE: 'monitoring', SCRAPE_CONFIG_LABELS: 'release=prometheus' }

const cases: ReadonlyArray<{
  readonly name: string
  readonly message: string
  readonly args?: readonly string[]
  readonly env?: Readonly<Record<string, string>>
  readonly code: number
}> = [
  { name: 'create-sample', message: JSON.stringify(createRequestSample), code: 0 },
  { name: 'delete-sample', message: JSON.stringify(deleteRequestSample), code: 0 },
  { name: 'create-sample-scrapeconfig', message: JSON.stringify(createRequestSample), env: SCRAPECONFIG_MODE, code: 0 },
  { name: 'delete-sample-scrapeconfig', message: JSON.stringify(deleteRequestSample), env: SCRAPECONFIG_MODE, code: 0 },
  { name: 'platform-sample', message: JSON.stringify(samplePlatformRequest), code: 0 },
  { name: 'rejected-not-an-object', message: '["telemetry"]', args: ['--topic', 'telemetry-delete-prometheus-job-and-grafana-dashboard'], code: 1 },
  {
    name: 'rejected-invalid-payload',
    message: JSON.stringify({ ...createRequestSample, data: { serviceId: '../etc', namespaces: ['a b'], prometheus: { host: '10.0.0.1', port: 0 } } }),
    code: 1,
  },
  { name: 'rejected-specversion', message: JSON.stringify({ ...deleteRequestSample, specversion: '0.3' }), code: 1 },
  { name: 'rejected-type-mismatch', message: JSON.stringify(deleteRequestSample), args: ['--topic', 'telemetry-platform-service'], code: 1 },
  {
    name: 'rejected-uncorrelatable',
    message: JSON.stringify({ specversion: '1.0', id: 'x', source: '/s', type: 'telemetry-platform-service', data: {} }),
    code: 1,
  },
]

describe('cli preview (golden, empty environment)', () => {
  for (const c of cases) {
    for (const json of [false, true]) {
      it(`${c.name}${json ? ' --json' : ''}`, async () => {
        const result = await run([...(c.args ?? []), ...(json ? ['--json'] : [])], c.message, c.env)
        expect(result.stderr).to.equal('')
        expect(result.code).to.equal(c.code)
        matchesGolden(`${c.name}.${json ? 'json' : 'txt'}`, result.stdout)
      })
    }
  }

  it('the --json form of an accepted create carries the job YAML, both dashboards, the folders and the result', async () => {
    const preview = JSON.parse((await run(['--json'], JSON.stringify(createRequestSample))).stdout) as Record<string, unknown>
    expect(preview).to.include({ verdict: 'accepted', kind: 'create', serviceId: createRequestSample.data.serviceId })
    expect(preview['scrapeJobYaml']).to.match(/^- job_name: ecc4345a-2097-4c3b-a40c-a9e791cdccbb\n/)
    expect((preview['dashboards'] as ReadonlyArray<{ role: string }>).map((d) => d.role)).to.deep.equal(['metrics', 'logs'])
    expect((preview['result'] as { topic: string }).topic).to.equal('sonata-service-dashboard-result')
  })

  it('runs as a process with an empty environment (nothing to connect to) and reads a file', function () {
    this.timeout(20_000)
    const file = `${GOLDEN}../../../../package.json`
    const main = fileURLToPath(new URL('../../../../src/cli/main.ts', import.meta.url))
    const child = spawnSync(process.execPath, ['--import=tsx', main, 'preview', file, '--topic', 'telemetry-platform-service'], { env: {}, encoding: 'utf8' })
    expect(child.status).to.equal(1)
    expect(child.stdout).to.match(/^REJECTED: unsupported CloudEvents specversion/)
  })
})
