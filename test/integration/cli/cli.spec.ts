import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { promisify } from 'node:util'
import type { Redis } from 'ioredis'
import { main } from '../../../src/cli/cli.js'
import type { CliIo } from '../../../src/cli/io.js'
import { startDevStack, type DevStack } from '../../../dev/dev-stack.js'
import { flushPrefix, testRedis, testRedisUrl, uniquePrefix } from '../../support/redis-helpers.js'
import { writeFixtureLogs } from '../../support/log-fixture.js'

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

const run = async (argv: string[], env: Record<string, string>, options: { stdin?: string; tty?: boolean } = {}): Promise<Run> => {
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t), isTTY: options.tty ?? false },
    env,
    stdin: Readable.from([options.stdin ?? '']),
    now: () => new Date('2030-01-01T00:00:00.000Z'),
  }
  const code = await main(argv, io)
  return { code, stdout, stderr }
}

describe('telemetry-client operator commands (in-process main(argv, io))', function () {
  this.timeout(60_000)
  let redis: Redis
  let dir: string
  const prefix = uniquePrefix()
  const other = uniquePrefix()
  const env = () => ({ REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: prefix })

  before(async () => {
    redis = testRedis('')
    await writeFixtureLogs(redis, prefix)
    dir = await mkdtemp(join(tmpdir(), 'tc-cli-'))
  })
  after(async () => {
    await flushPrefix(redis, prefix)
    await flushPrefix(redis, other)
    redis.disconnect()
    await rm(dir, { recursive: true, force: true })
  })

  describe('usage', () => {
    it('no command: usage, exit 2; help: exit 0; unknown command: exit 2', async () => {
      expect(await run([], {})).to.include({ code: 2 })
      const help = await run(['--help'], {})
      expect(help.code).to.equal(0)
      expect(help.stdout).to.match(/replay\s+rebuild snapshots/)
      const unknown = await run(['frobnicate'], {})
      expect(unknown).to.include({ code: 2 })
      expect(unknown.stderr).to.match(/unknown command 'frobnicate'/)
    })

    it('each command answers --help with exit 0, and a bad option or missing argument with exit 2', async () => {
      for (const command of ['list', 'inspect', 'replay', 'reconcile', 'export', 'import']) {
        const help = await run([command, '--help'], {})
        expect(help.code, command).to.equal(0)
        expect(help.stdout).to.match(new RegExp(`^Usage: telemetry-client ${command}`))
        const bad = await run([command, '--nope'], env())
        expect(bad.code, command).to.equal(2)
        expect(bad.stderr).to.match(/Unknown option '--nope'/)
      }
      const missing = await run(['inspect'], env())
      expect(missing).to.include({ code: 2 })
      expect(missing.stderr).to.contain('missing argument <serviceId>')
      expect((await run(['replay', '--check', '--write'], env())).code).to.equal(2)
    })

    it('a bad configuration is exit 1 with every problem listed at once', async () => {
      const r = await run(['reconcile'], { REDIS_URL: 'http://nope', REDIS_KEY_PREFIX: 'a b' })
      expect(r.code).to.equal(1)
      for (const name of ['REDIS_URL', 'REDIS_KEY_PREFIX', 'SECRET_NAMESPACE', 'SECRET_NAME', 'GRAFANA_URL', 'GRAFANA_TOKEN'])
        expect(r.stderr).to.contain(`- ${name}:`)
    })
  })

  describe('list and inspect', () => {
    it('list: a table by default, an array with --json', async () => {
      const human = await run(['list'], env())
      expect(human.code).to.equal(0)
      expect(human.stdout).to.match(/^SERVICE\s+STATUS/)
      expect(human.stdout).to.match(/svc-gone\s+deleted\s+11/)
      const json = await run(['list', '--json'], env())
      const rows = JSON.parse(json.stdout) as Array<{ serviceId: string; status: string }>
      expect(rows.map((r) => [r.serviceId, r.status])).to.deep.equal([
        ['svc-active', 'active'],
        ['svc-gone', 'deleted'],
        ['svc-new', 'new'],
      ])
    })

    it('inspect: state and timeline; --json; an unknown service is exit 1', async () => {
      const human = await run(['inspect', 'svc-gone'], env())
      expect(human.code).to.equal(0)
      expect(human.stdout).to.contain('status:       deleted (version 11')
      expect(human.stdout).to.match(/DashboardsDeleted\s+req-g2\s+tcm-svc-gone, tcl-svc-gone/)
      const json = JSON.parse((await run(['inspect', 'svc-active', '--json'], env())).stdout) as { state: { status: string }; timeline: unknown[] }
      expect(json.state.status).to.equal('active')
      expect(json.timeline).to.have.length(6)
      const unknown = await run(['inspect', 'nope'], env())
      expect(unknown).to.include({ code: 1 })
      expect(unknown.stderr).to.contain("no events for service 'nope'")
    })
  })

  describe('replay', () => {
    it('--check exits 1 while a snapshot would change; replay writes it; then --check exits 0', async () => {
      const check = await run(['replay', '--check', '--json'], env())
      expect(check.code).to.equal(1)
      const report = JSON.parse(check.stdout) as { write: boolean; counts: Record<string, number> }
      expect(report.write).to.equal(false)
      expect(report.counts).to.include({ identical: 2, missing: 1 })
      const write = await run(['replay', '--progress'], env())
      expect(write.code).to.equal(0)
      expect(write.stdout).to.match(/^missing\s+svc-new {2}log v1, no snapshot → rewritten/)
      expect(write.stderr).to.match(/\rreplay \[#+\] 100% 18\/18\n$/)
      expect((await run(['replay', '--check', '--service', 'svc-new'], env())).code).to.equal(0)
    })

    it('no progress bar when stderr is not a terminal; one when it is', async () => {
      expect((await run(['replay', '--check'], env())).stderr).to.equal('')
      expect((await run(['replay', '--check'], env(), { tty: true })).stderr).to.contain('100%')
    })
  })

  describe('export and import', () => {
    it('export to a file, import it into another prefix, refused again without --force', async () => {
      const file = join(dir, 'logs.ndjson')
      const exported = await run(['export', '--out', file], env())
      expect(exported.code).to.equal(0)
      expect(exported.stderr).to.contain(`exported 18 events of 3 services to ${file}`)
      expect((await readFile(file, 'utf8')).trimEnd().split('\n')).to.have.length(18)
      const target = { REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: other }
      const imported = await run(['import', '--in', file], target)
      expect(imported.code, imported.stderr).to.equal(0)
      expect(imported.stdout).to.contain('imported 18 events of 3 services')
      const again = await run(['import', '--in', file], target)
      expect(again.code).to.equal(1)
      expect(again.stderr).to.contain('already have events')
      expect((await run(['replay', '--check'], target)).code).to.equal(0)
      expect((await run(['inspect', 'svc-gone', '--json'], target)).stdout).to.equal((await run(['inspect', 'svc-gone', '--json'], env())).stdout)
    })

    it('export --json: the summary as one JSON line on stderr, stdout stays the NDJSON export', async () => {
      const exported = await run(['export', '--service', 'svc-active', '--json', '--progress'], env(), { tty: true })
      expect(exported.code).to.equal(0)
      expect(
        exported.stdout
          .trimEnd()
          .split('\n')
          .map((line) => (JSON.parse(line) as { version: number }).version),
      ).to.deep.equal([1, 2, 3, 4, 5, 6])
      expect(JSON.parse(exported.stderr)).to.deep.equal({ services: 1, events: 6, fromSnapshot: 0, out: null })
      const file = join(dir, 'one.ndjson')
      const toFile = await run(['export', '--service', 'svc-active', '--out', file, '--json'], env())
      expect(JSON.parse(toFile.stderr)).to.deep.equal({ services: 1, events: 6, fromSnapshot: 0, out: file })
    })

    it('export to stdout, import from stdin with --force; invalid input is exit 1', async () => {
      const exported = await run(['export', '--service', 'svc-active'], env())
      expect(exported.stdout.trimEnd().split('\n')).to.have.length(6)
      const target = { REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: other }
      const forced = await run(['import', '--force', '--json'], target, { stdin: exported.stdout })
      expect(forced.code).to.equal(0)
      expect(JSON.parse(forced.stdout)).to.deep.include({ refused: [] })
      const bad = await run(['import'], target, { stdin: '{"serviceId":"x","version":2,"event":{}}\n' })
      expect(bad.code).to.equal(1)
      expect(bad.stderr).to.contain('invalid input, nothing imported')
      expect((await run(['import', '--in', join(dir, 'missing.ndjson')], target)).code).to.equal(1)
    })
  })

  describe('reconcile', () => {
    let stack: DevStack
    before(async () => {
      stack = await startDevStack({ redisUrl: testRedisUrl(), kafkaBrokers: '127.0.0.1:9', instance: 'cli' })
    })
    after(async () => {
      await stack?.stop()
    })

    const reconcileEnv = () => ({ ...stack.env, REDIS_KEY_PREFIX: prefix })

    it('--dry-run --json reports drift (exit 2, as terraform plan -detailed-exitcode) and writes nothing', async () => {
      const r = await run(['reconcile', '--dry-run', '--json'], reconcileEnv())
      expect(r.code, r.stderr).to.equal(2)
      const report = JSON.parse(r.stdout) as { dryRun: boolean; busy: string[]; drift: Array<{ kind: string; serviceId: string }> }
      expect(report.dryRun).to.equal(true)
      expect(report.busy).to.deep.equal(['svc-new'])
      expect(report.drift.map((d) => [d.kind, d.serviceId])).to.deep.equal([
        ['job-missing', 'svc-active'],
        ['dashboard-missing', 'svc-active'],
        ['dashboard-missing', 'svc-active'],
      ])
      expect(stack.kube.successfulWrites).to.equal(0)
    })

    it('--dry-run: exit 0 without drift; exit 1 on an error, a usage error included (2 always means drift)', async () => {
      const clean = await run(['reconcile', '--dry-run', '--service', 'svc-gone'], reconcileEnv())
      expect(clean.code, clean.stderr).to.equal(0)
      expect(clean.stdout).to.match(/1 service checked: 0 drifts found, dry run, nothing changed\n$/)
      const usage = await run(['reconcile', '--dry-run', '--nope'], reconcileEnv())
      expect(usage.code).to.equal(1)
      expect(usage.stderr).to.match(/Unknown option '--nope'/)
      const unreachable = await run(['reconcile', '--dry-run'], {
        ...reconcileEnv(),
        GRAFANA_URL: 'http://127.0.0.1:9',
        GRAFANA_RETRIES: '0',
        GRAFANA_TIMEOUT_MS: '500',
      })
      expect(unreachable.code, unreachable.stdout).to.equal(1)
      const help = await run(['reconcile', '--help'], {})
      expect(help.stdout).to.contain('Exit with --dry-run (as terraform plan -detailed-exitcode): 0 no drift, 2 drift found,')
    })

    it('repairs by the step effects under reconcile:<uuid>; a repair that cannot be done is exit 1', async () => {
      // the fixture log records a job fingerprint no request in it yields: that job cannot be rebuilt
      const r = await run(['reconcile', '--service', 'svc-active', '--json'], reconcileEnv())
      expect(r.code, r.stdout + r.stderr).to.equal(1)
      const report = JSON.parse(r.stdout) as { drift: Array<{ kind: string; repair: { ok: boolean; detail: string } | null }> }
      expect(report.drift.map((d) => [d.kind, d.repair?.ok])).to.deep.equal([
        ['job-missing', false],
        ['dashboard-missing', true],
        ['dashboard-missing', true],
      ])
      expect(report.drift[0]?.repair?.detail).to.equal('no completed create request in the log yields the recorded job')
      const inspected = JSON.parse((await run(['inspect', 'svc-active', '--json'], env())).stdout) as { timeline: Array<{ type: string; requestId: string }> }
      const facts = inspected.timeline.slice(-2)
      expect(facts.map((f) => f.type)).to.deep.equal(['DashboardUpserted', 'DashboardUpserted'])
      expect(facts[0]?.requestId).to.match(/^reconcile:[0-9a-f-]{36}$/)
      expect(facts[1]?.requestId).to.equal(facts[0]?.requestId)
      expect(
        stack.grafana
          .folders()
          .map((f) => f.uid)
          .sort(),
      ).to.deep.equal(['etsi-hypo-app-metrics', 'etsi-hypo-end-user-service-logs'])
      const after = await run(['reconcile', '--dry-run', '--json', '--service', 'svc-active'], reconcileEnv())
      expect(after.code).to.equal(2)
      expect((JSON.parse(after.stdout) as { drift: Array<{ kind: string }> }).drift.map((d) => d.kind)).to.deep.equal(['job-missing'])
    })
  })

  it('runs as a real process: node --import=tsx src/cli/main.ts list --json', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import=tsx', 'src/cli/main.ts', 'list', '--json'], {
      env: { PATH: process.env['PATH'] ?? '', REDIS_URL: testRedisUrl(), REDIS_KEY_PREFIX: prefix },
      timeout: 30_000,
    })
    expect((JSON.parse(stdout) as Array<{ serviceId: string }>).map((r) => r.serviceId)).to.deep.equal(['svc-active', 'svc-gone', 'svc-new'])
  })
})
