/**
 * Operator commands beside a live service (issue #18, item 6): `reconcile`, `adopt` and `migrate`
 * each run while creates and deletes of the same services flow through Kafka, and the end state
 * is exactly the one the requests and the command call for, whatever the interleaving. Latency
 * on the simulators widens the window between a command's plan and its writes, where a request
 * used to slip in (a deleted service's job written back, a changed job removed by name).
 */
import { expect } from 'chai'
import { isLeft } from 'fp-ts/lib/Either.js'
import { DEV_SCRAPE_CONFIG, DEV_SECRET } from '../../../dev/dev-stack.js'
import { OWNERSHIP_KEY, parseOwnedJobs } from '../../../src/codecs/apis/owned-jobs.js'
import { ScrapeConfigResource } from '../../../src/codecs/apis/scrape-config.js'
import { applyEdits, parseScrapeConfigList, renderScrapeConfigList } from '../../support/rendered-scrape-list.js'
import { scrapeConfigName } from '../../../src/effects/kube/scrapeconfig/scrape-config-name.js'
import { scrapeJobOfScrapeConfig } from '../../../src/effects/kube/scrapeconfig/scrape-job-of-scrape-config.js'
import { federationJob, jobFingerprint } from '../../../src/effects/prometheus/scrape-job.js'
import { useHarness } from '../../support/harness-hooks.js'
import { createRequest, dataOf, deleteRequest, jobsIn, publishRequests, resultOf, type SentRequest } from '../../support/request-builders.js'
import { checkScrapeConfigsWithPromtool } from '../../support/promtool.js'
import { runCli } from '../../support/run-cli.js'
import { faultCounts, recordFigures } from '../reliability/figures.js'

const { namespace, name, key } = DEV_SECRET
const FIRST = ['NAMESPACE_1', 'NAMESPACE_2']
const SECOND = ['NAMESPACE_1', 'NAMESPACE_3']
const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(2, '0')}`)
const sameJobs = (a: Record<string, string>, b: Record<string, string>) => JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort())
const fingerprintOf = (serviceId: string, namespaces: readonly string[]) =>
  jobFingerprint(federationJob({ serviceId, namespaces: [...namespaces], host: '10.10.10.4', port: 30180 }))

describe('operator commands beside a live service (reconcile, adopt, migrate while requests flow)', function () {
  this.timeout(240_000)
  const ctx = useHarness()
  afterEach(() => {
    ctx.harness.stack.grafana.faults.clear()
    ctx.harness.stack.kube.faults.clear()
  })

  const data = () => ctx.harness.stack.kube.secret(namespace, name)?.data ?? {}
  const owned = (): string[] => {
    const parsed = parseOwnedJobs(data()[OWNERSHIP_KEY])
    if (isLeft(parsed)) throw new Error(parsed.left)
    return [...parsed.right].sort()
  }
  /** job_name → fingerprint of the secret's list, for the given services */
  const secretJobs = (of: readonly string[]): Record<string, string> =>
    Object.fromEntries(
      jobsIn(data()[key])
        .filter((j) => of.includes(j.job_name))
        .map((j) => [j.job_name, jobFingerprint(j)]),
    )
  const objectJobs = (of: readonly string[]): Record<string, string> =>
    Object.fromEntries(
      of.flatMap((id) => {
        const found = ctx.harness.stack.kube.scrapeConfig(DEV_SCRAPE_CONFIG.namespace, scrapeConfigName(id))
        if (found === undefined) return []
        const decoded = ScrapeConfigResource.decode(found)
        const job = isLeft(decoded) ? undefined : scrapeJobOfScrapeConfig(decoded.right)
        return [[id, job === undefined || isLeft(job) ? 'not a service job' : jobFingerprint(job.right)]]
      }),
    )
  const expected = (all: readonly string[], deleted: readonly string[], updated: readonly string[]): Record<string, string> =>
    Object.fromEntries(all.filter((id) => !deleted.includes(id)).map((id) => [id, fingerprintOf(id, updated.includes(id) ? SECOND : FIRST)]))
  const succeeded = async (requests: readonly SentRequest[]) => {
    for (const request of requests)
      expect(dataOf(await resultOf(ctx.results, request, 60_000)), request.data['serviceId'] as string).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
  }
  const create = async (services: readonly string[]) => {
    const requests = services.map((id) => createRequest(id, FIRST))
    await publishRequests(requests)
    await succeeded(requests)
  }
  /** deletes of some, updates (new namespaces) of others, published at once */
  const flow = async (deleted: readonly string[], updated: readonly string[]) => {
    const requests = [...deleted.map((id) => deleteRequest(id)), ...updated.map((id) => createRequest(id, SECOND))]
    await publishRequests(requests)
    return requests
  }
  const env = (extra: Record<string, string> = {}) => ({ ...ctx.harness.stack.env, ...extra })
  const duplicateJobs = () => {
    const names = jobsIn(data()[key]).map((j) => j.job_name)
    return names.filter((n, i) => names.indexOf(n) !== i).length
  }
  /** One row of docs/reliability.md, recorded before the scenario asserts (a failure still shows). */
  const figures = async (scenario: string, row: { requests: number; answered: number; started: number; faults: Record<string, number>; notes: string }) => {
    const promtool = await checkScrapeConfigsWithPromtool(data()[key] ?? '')
    recordFigures({
      scenario,
      requests: row.requests,
      faults: faultCounts({ grafana: ctx.harness.stack.grafana.faults, kube: ctx.harness.stack.kube.faults }, row.faults),
      inputs: 0,
      lost: row.requests - row.answered,
      duplicateJobs: duplicateJobs(),
      promtool: promtool.ok ? 'pass' : 'FAIL',
      seconds: (Date.now() - row.started) / 1000,
      notes: row.notes,
    })
  }
  const dashboardsOf = (services: readonly string[]) => ctx.harness.stack.grafana.dashboards().filter((d) => services.some((id) => d.uid.endsWith(id)))

  it('reconcile: a service deleted or updated while reconcile looks at others is never written back; the rest is repaired', async () => {
    const started = Date.now()
    const all = ids('rc', 30)
    await create(all)
    // drift by hand: ten jobs gone from the list (the ownership record stays, as after a kubectl edit)
    const drifted = all.slice(0, 10)
    const parsed = parseScrapeConfigList(data()[key])
    if (isLeft(parsed)) throw new Error(parsed.left.message)
    ctx.harness.stack.kube.setSecret(namespace, name, {
      ...data(),
      [key]: renderScrapeConfigList(
        applyEdits(
          parsed.right,
          drifted.map((jobName) => ({ op: 'remove', jobName })),
        ),
      ),
    })

    const deleted = [...all.slice(0, 5), ...all.slice(10, 13)]
    const updated = [...all.slice(5, 8), ...all.slice(13, 15)]
    // reconcile's look at 30 services takes a while: the requests are carried out meanwhile
    const getsBefore = ctx.harness.stack.grafana.requests.get('dashboard.get') ?? 0
    ctx.harness.stack.grafana.faults.add({ kind: 'dashboard.get', latencyMs: 25 })
    const reconciling = runCli(['reconcile'], env())
    const requests = await flow(deleted, updated)
    const run = await reconciling
    await succeeded(requests)
    const latency = (ctx.harness.stack.grafana.requests.get('dashboard.get') ?? 0) - getsBefore
    ctx.harness.stack.grafana.faults.clear()

    const exact = sameJobs(secretJobs(all), expected(all, deleted, updated))
    const orphans = Object.keys(secretJobs(deleted)).length
    await figures('operator commands beside a live service: reconcile while 5 deletes and 3 updates of its 10 drifted services (and 3 + 2 of others) flow', {
      requests: all.length + requests.length,
      answered: all.length + requests.length,
      started,
      faults: { 'hand:job removed from the secret': drifted.length, 'grafana:dashboard.get +25 ms': latency },
      notes: `reconcile exit ${run.code}; end state exact: ${exact}; deleted services' jobs written back: ${orphans}; skipped as busy: ${(/skipped \(requests in progress or lease held\): (.*)$/m.exec(run.stdout)?.[1] ?? '').split(', ').filter((x) => x !== '').length}`,
    })
    expect(run.code, run.stdout + run.stderr).to.equal(0)
    expect(secretJobs(all)).to.deep.equal(expected(all, deleted, updated))
    expect(owned().filter((id) => all.includes(id))).to.deep.equal(Object.keys(expected(all, deleted, updated)).sort())
    expect(dashboardsOf(deleted)).to.deep.equal([])
    const again = await runCli(['reconcile', '--dry-run'], env())
    expect(again.code, again.stdout).to.equal(0)
  })

  it('adopt: the record lost, adopt runs while the same services are updated and deleted; owned jobs are exactly the ones their logs register', async () => {
    const started = Date.now()
    const all = ids('ad', 12)
    await create(all)
    // the secret re-applied from a manifest that only knows the list key
    ctx.harness.stack.kube.setSecret(namespace, name, { [key]: data()[key] ?? '' })
    const deleted = all.slice(0, 3)
    const updated = all.slice(3, 6)
    const putsBefore = ctx.harness.stack.kube.requests.get('secret.put') ?? 0
    ctx.harness.stack.kube.faults.add({ kind: 'secret.put', latencyMs: 40 })
    const adopting = runCli(['adopt'], env())
    const requests = await flow(deleted, updated)
    const run = await adopting
    const answers = await Promise.all(requests.map(async (request) => dataOf(await resultOf(ctx.results, request, 60_000))))
    const puts = (ctx.harness.stack.kube.requests.get('secret.put') ?? 0) - putsBefore
    ctx.harness.stack.kube.faults.clear()

    const store = ctx.harness.store
    const registered: Record<string, string> = {}
    for (const id of all) {
      const state = await store.load(id)
      expect(state.pending, id).to.deep.equal([])
      if (state.job !== null) registered[id] = state.job.fingerprint
    }
    const ownedNow = owned().filter((id) => all.includes(id))
    const mismatched = Object.entries(registered).filter(([id, fingerprint]) => secretJobs([id])[id] !== fingerprint).length
    await figures(
      'operator commands beside a live service: adopt after the ownership record was lost, while 3 deletes and 3 updates of the same services flow',
      {
        requests: all.length + requests.length,
        answered: all.length + answers.length,
        started,
        faults: { 'hand:ownership key removed': 1, 'kube:secret.put +40 ms': puts },
        notes: `adopt exit ${run.code}; owned = registered in the logs: ${JSON.stringify(ownedNow) === JSON.stringify(Object.keys(registered).sort())}; owned jobs differing from their log: ${mismatched}; flow answered SUCCESS ${answers.filter((a) => a['dashboardDataOrderStatus'] === 'SUCCESS').length}, FAILURE ${answers.filter((a) => a['dashboardDataOrderStatus'] === 'FAILURE').length} (the lost record, item 2)`,
      },
    )
    // every job the service owns is the one its log registers, with the same fingerprint
    expect(ownedNow).to.deep.equal(Object.keys(registered).sort())
    const inList = secretJobs(all)
    for (const [id, fingerprint] of Object.entries(registered)) expect(inList[id], id).to.equal(fingerprint)
    // the untouched services were adopted as they were
    for (const id of all.slice(6)) expect(registered[id], id).to.equal(fingerprintOf(id, FIRST))
    expect(run.stdout).to.match(/adopted/)
  })

  it('migrate --to scrapeconfig: while requests flow no job the log holds is lost or removed changed; re-run and reconcile end exactly', async () => {
    const started = Date.now()
    const all = ids('mg', 20)
    await create(all)
    const deleted = all.slice(0, 4)
    const updated = all.slice(4, 8)
    const inPlace = () => ({ ...secretJobs(all), ...objectJobs(all) })
    const patchesBefore = ctx.harness.stack.kube.requests.get('scrapeconfig.patch') ?? 0
    ctx.harness.stack.kube.faults.add({ kind: 'scrapeconfig.patch', latencyMs: 60 })
    const migrating = runCli(['migrate', '--to', 'scrapeconfig'], env())
    const requests = await flow(deleted, updated)
    const first = await migrating
    await succeeded(requests)
    const patches = (ctx.harness.stack.kube.requests.get('scrapeconfig.patch') ?? 0) - patchesBefore
    ctx.harness.stack.kube.faults.clear()
    expect(first.code === 0 || first.code === 1, first.stdout + first.stderr).to.equal(true)

    // no job lost: every live service's current job is in one backend or the other
    const store = ctx.harness.store
    const lostJobs: string[] = []
    for (const id of all) {
      const state = await store.load(id)
      if (state.job !== null && ![secretJobs([id])[id], objectJobs([id])[id]].includes(state.job.fingerprint)) lostJobs.push(id)
    }
    const finish = async () => {
      const second = await runCli(['migrate', '--to', 'scrapeconfig'], env())
      const repaired = await runCli(['reconcile'], env({ SCRAPE_CONFIG_BACKEND: 'scrapeconfig' }))
      return { second, repaired }
    }
    const { second, repaired } = await finish()
    await figures(
      "operator commands beside a live service: migrate --to scrapeconfig while 4 deletes and 4 updates of the same services flow, then the runbook's re-run and reconcile",
      {
        requests: all.length + requests.length,
        answered: all.length + requests.length,
        started,
        faults: { 'kube:scrapeconfig.patch +60 ms': patches },
        notes: `first run exit ${first.code}; live jobs in neither backend (or changed) after it: ${lostJobs.length}; re-run exit ${second.code}, reconcile exit ${repaired.code}; end state exact: ${sameJobs(objectJobs(all), expected(all, deleted, updated)) && Object.keys(secretJobs(all)).length === 0}`,
      },
    )
    expect(lostJobs).to.deep.equal([])
    expect(Object.keys(inPlace()).length).to.be.greaterThan(0)

    // the runbook's sequence: migrate again, then reconcile against the new backend
    expect(second.code, second.stdout + second.stderr).to.equal(0)
    expect(repaired.code, repaired.stdout + repaired.stderr).to.equal(0)
    expect(objectJobs(all)).to.deep.equal(expected(all, deleted, updated))
    expect(secretJobs(all)).to.deep.equal({})
    expect(owned().filter((id) => all.includes(id))).to.deep.equal([])
  })
})
