/**
 * Backups that restore (issue #18, item 5), through the running service: services created over
 * Kafka, the service's own retention pass 40 days later trims their old events (all of one
 * service's, some of another's), then `export` and `import` into an empty prefix give the same
 * `list` and `inspect` output. `import` refuses a line whose serviceId is not its event's, and
 * an id the service would refuse.
 */
import { expect } from 'chai'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Redis } from 'ioredis'
import { configToEnv } from '../../../src/config/config-to-env.js'
import { serviceKeys } from '../../../src/state/store/redis-keys.js'
import { useHarness } from '../../support/harness-hooks.js'
import { flushPrefix, testRedis, uniquePrefix } from '../../support/redis-helpers.js'
import { createRequest, dataOf, publishRequests, resultOf, type SentRequest } from '../../support/request-builders.js'
import { runCli } from '../../support/run-cli.js'
import { recordCleanRun } from '../reliability/figures.js'
import { sleep } from '../../support/wait.js'

const DAY_MS = 86_400_000

describe('export/import after a retention pass (backups that restore)', function () {
  this.timeout(120_000)
  let skewMs = 0
  const ctx = useHarness({ harness: { now: () => new Date(Date.now() + skewMs), env: { RETENTION_INTERVAL: '1' } } })
  const TRIMMED = 'backup-trimmed-svc'
  const PARTLY = 'backup-partly-trimmed-svc'
  const target = uniquePrefix()
  let redis: Redis
  let dir: string

  before(async () => {
    redis = testRedis('')
    dir = await mkdtemp(join(tmpdir(), 'tc-backup-'))
  })
  after(async () => {
    await flushPrefix(redis, target)
    redis.disconnect()
    await rm(dir, { recursive: true, force: true })
  })

  const prefix = () => ctx.harness.stack.config.redis.keyPrefix
  const env = (keyPrefix = prefix()) => ({ ...configToEnv(ctx.harness.stack.config), REDIS_KEY_PREFIX: keyPrefix })
  const succeeds = async (request: SentRequest) => {
    await publishRequests([request])
    expect(dataOf(await resultOf(ctx.results, request))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
  }
  /** version of the oldest event still in the stream (undefined: none left) */
  const firstVersion = async (serviceId: string): Promise<number | undefined> => {
    const [entry] = await redis.xrange(serviceKeys(prefix(), serviceId).events, '-', '+', 'COUNT', 1)
    return entry === undefined ? undefined : Number(entry[0].split('-')[1])
  }
  const waitFor = async (what: string, check: () => Promise<boolean>) => {
    const deadline = Date.now() + 30_000
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
      await sleep(200)
    }
  }
  const views = async (keyPrefix: string) => ({
    list: (await runCli(['list'], env(keyPrefix))).stdout,
    listJson: (await runCli(['list', '--json'], env(keyPrefix))).stdout,
    trimmed: (await runCli(['inspect', TRIMMED], env(keyPrefix))).stdout,
    partly: (await runCli(['inspect', PARTLY, '--json'], env(keyPrefix))).stdout,
  })

  it('a round trip after the retention pass gives the same list and inspect output', async () => {
    const started = Date.now()
    await succeeds(createRequest(TRIMMED))
    await succeeds(createRequest(PARTLY))
    // 40 days later (past EVENT_RETENTION and INBOX_RETENTION): every event of both is in their snapshots
    skewMs = 40 * DAY_MS
    await waitFor(
      `the events of ${TRIMMED} are trimmed`,
      async () => (await firstVersion(TRIMMED)) === undefined && (await redis.exists(serviceKeys(prefix(), TRIMMED).snapshot)) === 1,
    )
    // a later update of the other service: its new events stay, the old ones go
    await succeeds(createRequest(PARTLY, ['NAMESPACE_1', 'NAMESPACE_3']))
    await waitFor(`the old events of ${PARTLY} are trimmed`, async () => ((await firstVersion(PARTLY)) ?? 0) > 1)

    const before = await views(prefix())
    expect(before.trimmed)
      .to.contain(`Service ${TRIMMED}`)
      .and.to.contain('status:       active')
      .and.to.match(/trimmed by the retention policy, held by the snapshot/)

    const file = join(dir, 'backup.ndjson')
    const exported = await runCli(['export', '--out', file, '--service', TRIMMED], env())
    expect(exported.code, exported.stderr).to.equal(0)
    const again = await runCli(['export', '--service', PARTLY], env())
    expect(again.code, again.stderr).to.equal(0)
    await writeFile(file, (await readFile(file, 'utf8')) + again.stdout)
    const lines = (await readFile(file, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    // each log starts with its base, clearly marked
    expect(lines[0]).to.deep.include({ serviceId: TRIMMED, kind: 'snapshot' })
    expect(lines.filter((l) => l['serviceId'] === TRIMMED)).to.have.length(1)
    const partly = lines.filter((l) => l['serviceId'] === PARTLY)
    expect(partly[0]).to.deep.include({ kind: 'snapshot' })
    expect(partly.slice(1).map((l) => l['version'])).to.deep.equal(partly.slice(1).map((_, i) => Number(partly[1]?.['version']) + i))
    expect(Number(partly[1]?.['version'])).to.be.greaterThan(1)

    const imported = await runCli(['import', '--in', file], env(target))
    expect(imported.code, imported.stderr).to.equal(0)
    expect(imported.stdout).to.match(new RegExp(`${TRIMMED}\\s+0\\s+active\\s+snapshot`))

    const after = await views(target)
    recordCleanRun('backup after a retention pass: export of a wholly and a partly trimmed log, import into an empty prefix', started, {
      requests: 3,
      faults: { 'clock:+40 days (retention pass)': 1 },
      inputs: 0,
      notes: `${lines.length} lines exported for 2 services (${lines.filter((l) => l['kind'] === 'snapshot').length} from their snapshot); import exit ${imported.code}; list and inspect identical after the round trip: ${JSON.stringify(after) === JSON.stringify(before)}`,
    })
    expect(after).to.deep.equal(before)
    // the restored snapshot is the one the service would load
    expect(await redis.get(serviceKeys(target, TRIMMED).snapshot)).to.equal(await redis.get(serviceKeys(prefix(), TRIMMED).snapshot))
    expect(await redis.get(serviceKeys(target, PARTLY).version)).to.equal(await redis.get(serviceKeys(prefix(), PARTLY).version))
  })

  it('import refuses a line whose serviceId is not the one its event or snapshot names, and ids the service refuses', async () => {
    const file = join(dir, 'backup.ndjson')
    const text = await readFile(file, 'utf8')
    const [snapshotLine, ...rest] = text.trimEnd().split('\n')
    const swapped = `${snapshotLine!.replace(`"serviceId":"${TRIMMED}"`, `"serviceId":"${PARTLY}-x"`)}\n`
    const otherEvent = rest.find((l) => l.includes('"RequestAccepted"'))!.replace(`{"serviceId":"${PARTLY}"`, '{"serviceId":"someone-else"')
    const badId = '{"serviceId":"bad id","version":1,"event":{}}'
    const fresh = uniquePrefix()
    const refused = await runCli(['import'], env(fresh), { stdin: `${swapped}${otherEvent}\n${badId}\n` })
    expect(refused.code).to.equal(1)
    expect(refused.stderr).to.contain('nothing imported')
    expect(refused.stderr).to.match(/line 1: service backup-partly-trimmed-svc-x: the snapshot does not decode or is another service's/)
    expect(refused.stderr).to.match(/line 2: event someone-else v\d+: its request is for service backup-partly-trimmed-svc/)
    expect(refused.stderr).to.match(/line 3: serviceId "bad id" is not one the service accepts/)
    expect(await redis.keys(`${fresh}*`)).to.deep.equal([])
  })
})
