/**
 * The PrometheusRule's alerts through the real promtool: `check rules` on its `spec` and
 * `promtool test rules` with deploy/monitoring/prometheusrule.test.yaml (a unit test per alert,
 * with input series). promtool reads plain rule files, so `spec` is extracted first.
 */
import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { dump, load } from '../../support/yaml.js'

const monitoring = fileURLToPath(new URL('../../../deploy/monitoring/', import.meta.url))

const promtool = (args: readonly string[], cwd: string): Promise<{ ok: boolean; output: string }> =>
  new Promise((resolve) => {
    execFile('promtool', [...args], { cwd, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ ok: error === null, output: `${stdout}${stderr}${error === null ? '' : error.message}` }),
    )
  })

describe('deploy/monitoring/prometheusrule.yaml with promtool', function () {
  this.timeout(60_000)
  let dir = ''
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tc-rules-'))
    const resource = load(await readFile(join(monitoring, 'prometheusrule.yaml'), 'utf8')) as { spec: unknown }
    await writeFile(join(dir, 'rules.yaml'), dump(resource.spec))
    await copyFile(join(monitoring, 'prometheusrule.test.yaml'), join(dir, 'prometheusrule.test.yaml'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('promtool check rules accepts the spec', async () => {
    const result = await promtool(['check', 'rules', 'rules.yaml'], dir)
    expect(result.ok, result.output).to.equal(true)
    expect(result.output).to.include('SUCCESS: 6 rules found')
  })

  it('promtool test rules passes a test of every alert', async () => {
    const result = await promtool(['test', 'rules', 'prometheusrule.test.yaml'], dir)
    expect(result.ok, result.output).to.equal(true)
    const tested = new Set([...(await readFile(join(dir, 'prometheusrule.test.yaml'), 'utf8')).matchAll(/alertname: (\w+)/g)].map((m) => m[1]))
    expect(tested.size).to.equal(6)
  })
})
