/**
 * `telemetry-client migrate` against the dev stack (the service running in secret mode, as during
 * a real migration): jobs move from the secret into ScrapeConfigs and back without ever being in
 * neither, a SIGKILL in the middle is finished by a re-run, somebody else's job and object are
 * never touched, a deleted service is never brought back, and a full secret stops the way back.
 */
import { expect } from 'chai'
import { isLeft } from 'fp-ts/lib/Either.js'
import { Readable } from 'node:stream'
import { DEV_SCRAPE_CONFIG, DEV_SECRET } from '../../../../dev/dev-stack.js'
import { spawnOwned } from '../../../../dev/process-utils.js'
import { main } from '../../../../src/cli/cli.js'
import type { CliIo } from '../../../../src/cli/io.js'
import { OWNERSHIP_KEY, parseOwnedJobs, renderOwnedJobs } from '../../../../src/codecs/apis/owned-jobs.js'
import { ScrapeConfigResource } from '../../../../src/codecs/apis/scrape-config.js'
import { scrapeConfigName } from '../../../../src/effects/kube/scrapeconfig/scrape-config-name.js'
import { fragment } from '../../../../src/effects/prometheus/scrape-config-list.js'
import { scrapeJobOfScrapeConfig } from '../../../../src/effects/kube/scrapeconfig/scrape-job-of-scrape-config.js'
import { federationJob, jobFingerprint } from '../../../../src/effects/prometheus/scrape-job.js'
import { CRASH_ENV } from '../../../../src/streams/crash-points.js'
import { cliEntryArgs } from '../../../support/cli-entry.js'
import { useHarness, type HarnessContext } from '../../../support/harness-hooks.js'
import { createRequest, dataOf, deleteRequest, jobsIn, publishRequests, resultOf, type SentRequest } from '../../../support/request-builders.js'

const { namespace, name, key } = DEV_SECRET
const SC_NS = DEV_SCRAPE_CONFIG.namespace
const LIMIT = 1024 * 1024
const FOREIGN_JOB = '- job_name: team-x\n  static_configs: [{targets: ["10.9.9.9:9100"]}]   # kept byte for byte\n'
const FOREIGN_OBJECT = {
  apiVersion: 'monitoring.coreos.com/v1alpha1',
  kind: 'ScrapeConfig',
  metadata: { name: 'team-y' },
  spec: { jobName: 'team-y', staticConfigs: [{ targets: ['10.9.9.8:9100'] }] },
}
const SERVICES = Array.from({ length: 20 }, (_, i) => `svc-m-${String(i + 1).padStart(2, '0')}`)

interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** The CLI in-process, with the stack's environment (both backends configured). */
const runner =
  (ctx: HarnessContext) =>
  async (...argv: string[]): Promise<Run> => {
    let stdout = ''
    let stderr = ''
    const io: CliIo = {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t), isTTY: false },
      env: ctx.harness.stack.env,
      stdin: Readable.from(['']),
      now: () => new Date(),
    }
    return { code: await main(['migrate', ...argv], io), stdout, stderr }
  }

const views = (ctx: HarnessContext) => {
  const data = () => ctx.harness.stack.kube.secret(namespace, name)?.data ?? {}
  const owned = (): string[] => {
    const parsed = parseOwnedJobs(data()[OWNERSHIP_KEY])
    if (isLeft(parsed)) throw new Error(parsed.left)
    return [...parsed.right].sort()
  }
  const inSecret = (serviceId: string) => owned().includes(serviceId) && jobsIn(data()[key]).some((j) => j.job_name === serviceId)
  const object = (serviceId: string) => ctx.harness.stack.kube.scrapeConfig(SC_NS, scrapeConfigName(serviceId))
  /** the job an own ScrapeConfig federates as, by fingerprint; undefined when there is none */
  const objectFingerprint = (serviceId: string): string | undefined => {
    const found = object(serviceId)
    if (found === undefined) return undefined
    const decoded = ScrapeConfigResource.decode(found)
    if (isLeft(decoded)) throw new Error(`not a ScrapeConfig: ${JSON.stringify(found)}`)
    const job = scrapeJobOfScrapeConfig(decoded.right)
    return isLeft(job) ? undefined : jobFingerprint(job.right)
  }
  return { data, owned, inSecret, object, objectFingerprint }
}

describe('telemetry-client migrate (service in secret mode + kube simulator)', function () {
  this.timeout(180_000)
  const ctx = useHarness()
  const migrate = runner(ctx)
  const { data, owned, inSecret, object, objectFingerprint } = views(ctx)
  const jobOf = (serviceId: string) => federationJob({ serviceId, namespaces: ['NAMESPACE_1', 'NAMESPACE_2'], host: '10.10.10.4', port: 30180 })
  const ALL = [...SERVICES, 'svc-clash']
  const noJobLost = () => {
    for (const id of ALL) expect(inSecret(id) || object(id) !== undefined, `${id} is in neither backend`).to.equal(true)
  }

  before(async () => {
    const requests: SentRequest[] = ALL.map((id) => createRequest(id))
    await publishRequests(requests)
    for (const request of requests) expect(dataOf(await resultOf(ctx.results, request))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    // another team's job in the secret's text, another team's ScrapeConfig, and one under svc-clash's name
    ctx.harness.stack.kube.setSecret(namespace, name, { ...data(), [key]: `${FOREIGN_JOB}${data()[key] ?? ''}` })
    ctx.harness.stack.kube.setScrapeConfig(SC_NS, FOREIGN_OBJECT)
    ctx.harness.stack.kube.setScrapeConfig(SC_NS, { ...FOREIGN_OBJECT, metadata: { name: scrapeConfigName('svc-clash') } })
    expect(owned()).to.deep.equal([...ALL].sort())
  })

  it('--dry-run lists what would move, names the clash, changes nothing (exit 2)', async () => {
    const before = JSON.stringify([data(), ctx.harness.stack.scrapeConfigObjects()])
    const run = await migrate('--to', 'scrapeconfig', '--dry-run')
    expect(run.code, run.stdout + run.stderr).to.equal(2)
    for (const id of SERVICES) expect(run.stdout).to.match(new RegExp(`^would move {5}${id}$`, 'm'))
    expect(run.stdout).to.match(/^skipped {8}svc-clash \(foreign object of the same name\)/m)
    expect(run.stdout).to.match(/would move 20, already there 0, skipped 1/)
    expect(JSON.stringify([data(), ctx.harness.stack.scrapeConfigObjects()])).to.equal(before)
  })

  it('a SIGKILL after the 7th apply leaves every job in at least one backend; a re-run finishes the move', async () => {
    const child = spawnOwned(process.execPath, [...cliEntryArgs(), 'migrate', '--to', 'scrapeconfig'], {
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...ctx.harness.stack.env, [CRASH_ENV]: 'migrate:after-apply:7' },
    })
    const status = await child.exited
    expect(status, child.log.text()).to.deep.equal({ code: null, signal: 'SIGKILL' })
    // an apply the child sent just before the kill may still be unread in the simulator's socket:
    // count only once the simulator has handled everything the dead child sent
    await ctx.harness.stack.kube.idle()
    const applied = SERVICES.filter((id) => object(id) !== undefined)
    expect(applied.length).to.be.at.least(7)
    expect(SERVICES.filter(inSecret), 'nothing left the secret before the crash').to.have.length(20)
    noJobLost()

    const puts = () => ctx.harness.stack.kube.requests.get('secret.put') ?? 0
    const putsBefore = puts()
    const run = await migrate('--to', 'scrapeconfig', '--json')
    expect(run.code, run.stdout + run.stderr).to.equal(1) // svc-clash is skipped
    expect(puts() - putsBefore, 'the 20 removals are group-committed into few secret writes').to.be.at.most(3)
    const report = JSON.parse(run.stdout) as { summary: { moved: number; alreadyThere: number; skipped: number; failed: number } }
    expect(report.summary).to.deep.include({ moved: 20 - applied.length, alreadyThere: applied.length, skipped: 1, failed: 0 })
    for (const id of SERVICES) {
      expect(inSecret(id), `${id} left the secret`).to.equal(false)
      expect(objectFingerprint(id), `${id}'s ScrapeConfig`).to.equal(jobFingerprint(jobOf(id)))
    }
    noJobLost()
    expect(owned()).to.deep.equal(['svc-clash'])
    expect(data()[key]).to.equal(`${FOREIGN_JOB}${fragment(jobOf('svc-clash'))}`)
    expect(ctx.harness.stack.kube.scrapeConfig(SC_NS, 'team-y')).to.deep.include({ spec: FOREIGN_OBJECT.spec })
  })

  it('a second run changes nothing', async () => {
    const before = JSON.stringify([data(), ctx.harness.stack.scrapeConfigObjects()])
    const run = await migrate('--to', 'scrapeconfig')
    expect(run.stdout).to.match(/moved 0, already there 0, skipped 1 \(foreign object of the same name 1\), failed 0$/m)
    expect(JSON.stringify([data(), ctx.harness.stack.scrapeConfigObjects()])).to.equal(before)
    expect((await migrate('--to', 'scrapeconfig', '--dry-run')).code).to.equal(0)
  })

  it('once the clashing object is gone, the last job moves and migrate exits 0', async () => {
    ctx.harness.stack.kube.deleteScrapeConfig(SC_NS, scrapeConfigName('svc-clash'))
    const run = await migrate('--to', 'scrapeconfig')
    expect(run.code, run.stdout).to.equal(0)
    expect(run.stdout).to.match(/moved 1, already there 0, skipped 0, failed 0$/m)
    expect(objectFingerprint('svc-clash')).to.equal(jobFingerprint(jobOf('svc-clash')))
    expect(data()[key]).to.equal(FOREIGN_JOB)
    expect(owned()).to.deep.equal([])
  })

  it('--to secret moves every own ScrapeConfig back into the secret and deletes it; other objects stay', async () => {
    const putsBefore = ctx.harness.stack.kube.requests.get('secret.put') ?? 0
    const run = await migrate('--to', 'secret', '--progress')
    expect((ctx.harness.stack.kube.requests.get('secret.put') ?? 0) - putsBefore, 'the 21 upserts go in few secret writes').to.be.at.most(3)
    expect(run.code, run.stdout + run.stderr).to.equal(0)
    expect(run.stdout).to.match(/migrate --to secret: moved 21, already there 0, skipped 0, failed 0$/m)
    expect(run.stderr).to.match(/migrate --to secret \[#+\] 100% 21\/21/)
    expect(owned()).to.deep.equal([...ALL].sort())
    for (const id of ALL) {
      expect(object(id), id).to.equal(undefined)
      expect(jobFingerprint(jobsIn(data()[key]).find((j) => j.job_name === id)), id).to.equal(jobFingerprint(jobOf(id)))
    }
    expect(data()[key]?.startsWith(FOREIGN_JOB)).to.equal(true)
    expect(ctx.harness.stack.scrapeConfigObjects().map((o) => (o['metadata'] as { name: string }).name)).to.deep.equal(['team-y'])
    expect((await migrate('--to', 'secret', '--dry-run')).code).to.equal(0)
  })

  it('--to secret stops when the secret is full: what fits moves, the rest stays ScrapeConfigs (exit 1)', async () => {
    expect((await migrate('--to', 'scrapeconfig')).code).to.equal(0)
    // another team's job padded so that about three of ours (and their ownership lines) fit
    const room = 3 * Buffer.byteLength(fragment(jobOf('svc-m-01'))) + Buffer.byteLength(renderOwnedJobs(new Set(SERVICES.slice(0, 3)))) + 40
    const head = "- job_name: filler\n  static_configs:\n  - targets: ['10.0.0.1:9100']\n    labels:\n      blob: \""
    const filler = `${head}${'x'.repeat(LIMIT - room - head.length - 2)}"\n`
    ctx.harness.stack.kube.setSecret(namespace, name, { [key]: filler })

    const run = await migrate('--to', 'secret', '--json')
    expect(run.code, run.stdout + run.stderr).to.equal(1)
    const report = JSON.parse(run.stdout) as { full: string | null; summary: { moved: number; left: number; failed: number } }
    expect(report.full).to.match(/is full: .*Too long/)
    expect(report.summary.moved).to.be.within(1, 3)
    expect(report.summary.moved + report.summary.left).to.equal(21)
    expect(report.summary.failed).to.equal(0)
    noJobLost()
    const back = ALL.filter(inSecret)
    expect(back).to.have.length(report.summary.moved)
    for (const id of back) expect(object(id), id).to.equal(undefined)
    for (const id of ALL.filter((id) => !back.includes(id))) expect(objectFingerprint(id), id).to.equal(jobFingerprint(jobOf(id)))
    expect(data()[key]?.startsWith(filler)).to.equal(true)
    expect(Buffer.byteLength(data()[key] ?? '') + Buffer.byteLength(data()[OWNERSHIP_KEY] ?? '')).to.be.at.most(LIMIT)
  })
})

describe('telemetry-client migrate never resurrects a deleted service', function () {
  this.timeout(120_000)
  const ctx = useHarness()
  const migrate = runner(ctx)
  const { data, owned, object } = views(ctx)

  it('a job the secret still owns for a service the log says is deleted is not applied', async () => {
    const live = createRequest('svc-live')
    const gone = createRequest('svc-gone')
    await publishRequests([live, gone])
    for (const request of [live, gone]) await resultOf(ctx.results, request)
    const stale = jobsIn(data()[key]).find((j) => j.job_name === 'svc-gone')
    const goneDelete = deleteRequest('svc-gone')
    await publishRequests([goneDelete])
    expect(dataOf(await resultOf(ctx.results, goneDelete))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    // a stale copy left behind (e.g. restored from a backup), still in the ownership record
    ctx.harness.stack.kube.setSecret(namespace, name, {
      [key]: `${data()[key] ?? ''}${fragment(stale)}`,
      [OWNERSHIP_KEY]: renderOwnedJobs(new Set(['svc-live', 'svc-gone'])),
    })

    const run = await migrate('--to', 'scrapeconfig')
    expect(run.code, run.stdout).to.equal(1)
    expect(run.stdout).to.match(/^skipped {8}svc-gone \(deleted service\): the event log of service svc-gone has no registered job/m)
    expect(run.stdout).to.match(/moved 1, already there 0, skipped 1 \(deleted service 1\), failed 0$/m)
    expect(object('svc-gone')).to.equal(undefined)
    expect(object('svc-live')).to.not.equal(undefined)
    expect(owned()).to.deep.equal(['svc-gone'])
  })
})
