/**
 * Issue #18 item 2 through the running service: the ownership record is never silently lost.
 * A `kubectl apply` of the secret from a manifest that only knows the list key drops
 * `telemetry-client.owned.json`; the service's own log still knows which jobs it registered (and
 * their fingerprints): a delete removes a job only when it is exactly what the log recorded, and
 * answers FAILURE naming the lost record otherwise (never SUCCESS while the job remains); a create
 * of an existing service goes on; `doctor` fails `kube.ownership`, the metric counts, and `adopt`
 * is the repair. The same rule for a ScrapeConfig whose label/annotation was changed by hand.
 */
import { expect } from 'chai'
import { Readable } from 'node:stream'
import { DEV_SCRAPE_CONFIG, DEV_SECRET } from '../../../dev/dev-stack.js'
import { main } from '../../../src/cli/cli.js'
import { OWNERSHIP_KEY } from '../../../src/codecs/apis/owned-jobs.js'
import { configToEnv } from '../../../src/config/config-to-env.js'
import { MANAGED_BY_LABEL, SERVICE_ID_ANNOTATION } from '../../../src/effects/kube/scrapeconfig/scrape-config-of.js'
import { scrapeConfigName } from '../../../src/effects/kube/scrapeconfig/scrape-config-name.js'
import { useHarness } from '../../support/harness-hooks.js'
import { answerTo, createRequest, deleteRequest, jobNamesIn, type SentRequest } from '../../support/request-builders.js'

const { namespace, name, key } = DEV_SECRET

interface Check {
  readonly name: string
  readonly status: string
  readonly reason: string
  readonly action: string
}

/** Runs the CLI in-process with `env`; stdout, stderr and the exit code. */
const cli = async (argv: string[], env: Readonly<Record<string, string>>): Promise<{ code: number; stdout: string; stderr: string }> => {
  let stdout = ''
  let stderr = ''
  const code = await main(argv, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    env,
    stdin: Readable.from(['']),
    now: () => new Date(),
  })
  return { code, stdout, stderr }
}

const LOST_METRIC = 'telemetry_ownership_record_lost_total'

describe('ownership record lost (secret backend) end to end', function () {
  this.timeout(90_000)
  const ctx = useHarness()
  const kube = () => ctx.harness.stack.kube
  const data = () => kube().secret(namespace, name)?.data ?? {}
  const answer = (request: SentRequest) => answerTo(ctx.results, request)
  const ownershipCheck = async (): Promise<Check | undefined> => {
    const r = await cli(['doctor', '--json'], configToEnv(ctx.harness.stack.config))
    return (JSON.parse(r.stdout) as { checks: Check[] }).checks.find((c) => c.name === 'kube.ownership')
  }
  const lostCount = async (verdict: string): Promise<number> => {
    const text = (await ctx.harness.service?.metrics.registry.getSingleMetricAsString(LOST_METRIC)) ?? ''
    const line = text.split('\n').find((l) => l.startsWith(`${LOST_METRIC}{`) && l.includes(`verdict="${verdict}"`) && l.includes('backend="secret"'))
    return line === undefined ? 0 : Number(line.split(' ').pop())
  }

  it('a delete after the record was dropped removes the job the log recorded, refuses a changed one by name, and a create goes on; doctor fails until adopt', async () => {
    for (const id of ['svc-lost-1', 'svc-lost-2', 'svc-lost-3']) expect(await answer(createRequest(id))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    expect((await ownershipCheck())?.status).to.equal('ok')

    // `kubectl apply` of a manifest that knows only the list key, with one job edited by hand
    const list = (data()[key] ?? '').replace(/(job_name: svc-lost-2\n(?:.*\n)*?\s+- )10\.10\.10\.4:30180/, '$110.10.10.5:30180')
    expect(list).to.include('10.10.10.5:30180')
    kube().setSecret(namespace, name, { [key]: list })

    const check = await ownershipCheck()
    expect(check?.status).to.equal('fail')
    expect(check?.reason)
      .to.include('3 job(s) the event logs say this service registered are missing from telemetry-client.owned.json')
      .and.include('svc-lost-2')
    expect(check?.reason).to.include('1 differ from what the log recorded')
    expect(check?.action).to.include('telemetry-client adopt')

    // the job is exactly what the log recorded: removed, SUCCESS
    const matchedBefore = await lostCount('matched-log')
    const removed = await answer(deleteRequest('svc-lost-1'))
    expect(removed).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    expect(removed['dashboardDataOrderMessage']).to.match(/removed Prometheus job svc-lost-1/)
    expect(jobNamesIn(data()[key])).not.to.include('svc-lost-1')
    expect(await lostCount('matched-log')).to.be.above(matchedBefore)

    // changed by hand: never SUCCESS while it remains; the FAILURE names the lost record
    const refusedBefore = await lostCount('refused')
    const refused = await answer(deleteRequest('svc-lost-2'))
    expect(refused['dashboardDataOrderStatus']).to.equal('FAILURE')
    expect(refused['dashboardDataOrderMessage']).to.match(
      /^Failed while removing the Prometheus scrape job: job_name "svc-lost-2" is not in the ownership record telemetry-client\.owned\.json although the event log says this service registered it/,
    )
    expect(refused['dashboardDataOrderMessage']).to.include('telemetry-client adopt')
    expect(jobNamesIn(data()[key])).to.include('svc-lost-2')
    expect(await lostCount('refused')).to.be.above(refusedBefore)

    // an update of an existing service whose job is what the log recorded: no false conflict, the record is written again
    expect(await answer(createRequest('svc-lost-3', ['NAMESPACE_3']))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    expect(data()[OWNERSHIP_KEY]).to.include('"svc-lost-3"')
    expect(data()[key]).to.include('NAMESPACE_3')

    // the repair: adopt names the changed job as not adoptable; put the text back, adopt, doctor ok
    const dry = await cli(['adopt', '--dry-run'], configToEnv(ctx.harness.stack.config))
    expect(dry.stdout).to.match(/NOT adoptable {2}svc-lost-2: differs from what the service rendered/)
    kube().setSecret(namespace, name, { ...data(), [key]: (data()[key] ?? '').replace('10.10.10.5:30180', '10.10.10.4:30180') })
    const adopted = await cli(['adopt'], configToEnv(ctx.harness.stack.config))
    expect(adopted.code, adopted.stdout + adopted.stderr).to.equal(0)
    expect((await ownershipCheck())?.status).to.equal('ok')
    expect(await answer(deleteRequest('svc-lost-2'))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    expect(jobNamesIn(data()[key])).not.to.include('svc-lost-2')
  })
})

describe('ownership mark lost (ScrapeConfig backend) end to end', function () {
  this.timeout(90_000)
  const ctx = useHarness({ harness: { env: { SCRAPE_CONFIG_BACKEND: 'scrapeconfig' } } })
  const kube = () => ctx.harness.stack.kube
  const ns = DEV_SCRAPE_CONFIG.namespace
  const answer = (request: SentRequest) => answerTo(ctx.results, request)
  /** The object with the service's label and annotation removed by hand (and, optionally, its spec changed). */
  const unmark = (serviceId: string, change?: (spec: Record<string, unknown>) => Record<string, unknown>): void => {
    const object = kube().scrapeConfig(ns, scrapeConfigName(serviceId)) as {
      metadata: { labels?: Record<string, string>; annotations?: Record<string, string> }
      spec: Record<string, unknown>
    }
    const labels = { ...object.metadata.labels }
    delete labels[MANAGED_BY_LABEL]
    const annotations = { ...object.metadata.annotations }
    delete annotations[SERVICE_ID_ANNOTATION]
    kube().setScrapeConfig(ns, {
      metadata: { name: scrapeConfigName(serviceId), labels, annotations },
      spec: change === undefined ? object.spec : change(object.spec),
    })
  }

  it('a delete removes an unmarked object whose spec the log recorded, refuses a changed one by name; doctor fails on it', async () => {
    for (const id of ['svc-mark-1', 'svc-mark-2']) expect(await answer(createRequest(id))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    unmark('svc-mark-1')
    unmark('svc-mark-2', (spec) => ({ ...spec, scrapeInterval: '5s' }))

    const doctor = await cli(['doctor', '--json'], configToEnv(ctx.harness.stack.config))
    const check = (JSON.parse(doctor.stdout) as { checks: Check[] }).checks.find((c) => c.name === 'kube.ownership')
    expect(check?.status).to.equal('fail')
    expect(check?.reason).to.include('svc-mark-1').and.include('svc-mark-2')

    const removed = await answer(deleteRequest('svc-mark-1'))
    expect(removed, String(removed['dashboardDataOrderMessage'])).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    expect(removed['dashboardDataOrderMessage']).to.match(/removed Prometheus job svc-mark-1/)
    expect(kube().scrapeConfig(ns, scrapeConfigName('svc-mark-1'))).to.equal(undefined)

    const refused = await answer(deleteRequest('svc-mark-2'))
    expect(refused['dashboardDataOrderStatus']).to.equal('FAILURE')
    expect(refused['dashboardDataOrderMessage']).to.match(
      /lacks the service's managed-by label or serviceId annotation although the event log says this service registered job svc-mark-2/,
    )
    expect(kube().scrapeConfig(ns, scrapeConfigName('svc-mark-2'))).not.to.equal(undefined)
  })
})
