/**
 * `telemetry-client reconcile` in scrapeconfig mode (SCRAPE_CONFIG_BACKEND=scrapeconfig): the real
 * service writes the log and its ScrapeConfigs, drift is made by hand through the simulator as
 * `kubectl` would, and the command (the CLI, as an operator runs it) finds it and puts back
 * exactly what the service wrote, through the same ScrapeConfig writer.
 */
import { expect } from 'chai'
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, SERVICE_ID_ANNOTATION } from '../../../src/effects/kube/scrapeconfig/scrape-config-of.js'
import { scrapeConfigName } from '../../../src/effects/kube/scrapeconfig/scrape-config-name.js'
import { createEventStore } from '../../../src/state/store/event-store.js'
import { DEV_SCRAPE_CONFIG } from '../../../dev/dev-stack.js'
import { writeLiveLog, type LiveLog } from '../../support/live-log.js'
import { runCli, type CliRun } from '../../support/run-cli.js'
import { SCRAPECONFIG_MODE, scrapeConfigObjectOf, type WireScrapeConfig } from '../../support/wire-scrape-config.js'

interface JsonDrift {
  readonly kind: string
  readonly serviceId: string
  readonly description: string
  readonly foreign?: boolean
  readonly repair: { ok: boolean; detail: string } | null
}

const NS = DEV_SCRAPE_CONFIG.namespace

describe('ops/reconcile in scrapeconfig mode (live log, simulators, the CLI)', function () {
  this.timeout(120_000)
  let live: LiveLog
  const written = new Map<string, WireScrapeConfig>()

  const kube = () => live.harness.stack.kube
  const objectOf = (serviceId: string) => scrapeConfigObjectOf(kube(), serviceId)
  /** what the service owns of an object: its spec, labels and annotations (not resourceVersion or managedFields) */
  const ownPart = (o: WireScrapeConfig | undefined) =>
    o === undefined ? undefined : { spec: o.spec, labels: o.metadata.labels, annotations: o.metadata.annotations }
  const reconcileCli = (...argv: string[]): Promise<CliRun> => runCli(['reconcile', ...argv], live.harness.stack.env)
  /** by serviceId: the services index orders by last change, which ties between services made together */
  const driftOf = (r: CliRun): JsonDrift[] => [...(JSON.parse(r.stdout) as { drift: JsonDrift[] }).drift].sort((a, b) => a.serviceId.localeCompare(b.serviceId))

  before(async () => {
    live = await writeLiveLog(['svc-c1', 'svc-c2', 'svc-c3'], ['svc-cd'], { env: SCRAPECONFIG_MODE })
    for (const id of ['svc-c1', 'svc-c2', 'svc-c3']) {
      const object = objectOf(id)
      if (object === undefined) throw new Error(`the service wrote no ScrapeConfig for ${id}`)
      written.set(id, object)
    }
  })
  after(async () => {
    await live?.stop()
  })

  it('finds nothing on what the service left (dry run: exit 0), and never reads the secret', async () => {
    const secretReads = kube().requests.get('secret.get') ?? 0
    const r = await reconcileCli('--dry-run', '--json')
    expect(r.code, r.stderr).to.equal(0)
    expect(JSON.parse(r.stdout)).to.include({ backend: 'scrapeconfig', checked: 4 })
    expect(driftOf(r)).to.deep.equal([])
    expect(kube().requests.get('secret.get') ?? 0).to.equal(secretReads)
  })

  describe('with drift made by hand', () => {
    before(() => {
      // deleted (kubectl delete), edited (kubectl edit), and a deleted service's object put back with the service's marks
      kube().deleteScrapeConfig(NS, scrapeConfigName('svc-c1'))
      const c2 = written.get('svc-c2')
      // a value changed and a field added: apply takes back the first, the second needs removing
      kube().setScrapeConfig(NS, {
        ...c2,
        spec: { ...c2?.spec, staticConfigs: [{ targets: ['evil.example:1'], labels: { serviceId: 'svc-c2' } }], scrapeInterval: '5s' },
      })
      const c3 = written.get('svc-c3')
      kube().setScrapeConfig(NS, {
        ...c3,
        metadata: { name: scrapeConfigName('svc-cd'), labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE }, annotations: { [SERVICE_ID_ANNOTATION]: 'svc-cd' } },
        spec: { ...c3?.spec, jobName: 'svc-cd' },
      })
    })

    it('--dry-run reports each kind against the ScrapeConfigs, exit 2, and changes nothing', async () => {
      const [objectsBefore, writesBefore] = [live.harness.stack.scrapeConfigObjects(), kube().successfulWrites]
      const r = await reconcileCli('--dry-run', '--json')
      expect(r.code, r.stderr).to.equal(2)
      expect(driftOf(r).map((d) => [d.kind, d.serviceId, d.description.replace(/\(fingerprint .*\)/, '(…)')])).to.deep.equal([
        ['job-missing', 'svc-c1', 'job svc-c1 has no ScrapeConfig'],
        ['job-different', 'svc-c2', 'the ScrapeConfig of job svc-c2 differs from the one written (…)'],
        ['job-left-behind', 'svc-cd', 'the ScrapeConfig of job svc-cd is still in place although the service was deleted'],
      ])
      const text = await reconcileCli('--dry-run')
      expect(text.code).to.equal(2)
      expect(text.stdout).to.match(/4 services checked: 3 drifts found, dry run, nothing changed\n$/)
      expect(live.harness.stack.scrapeConfigObjects()).to.deep.equal(objectsBefore)
      expect(kube().successfulWrites).to.equal(writesBefore)
    })

    it('repairs through the ScrapeConfig writer: each object is back as the service wrote it, the leftover is gone, exit 0', async () => {
      const r = await reconcileCli('--json')
      expect(r.code, r.stdout + r.stderr).to.equal(0)
      expect(driftOf(r).map((d) => d.repair?.ok)).to.deep.equal([true, true, true])
      for (const id of ['svc-c1', 'svc-c2']) {
        expect(ownPart(objectOf(id)), id).to.deep.equal(ownPart(written.get(id)))
        expect(
          objectOf(id)?.metadata.managedFields?.some((m) => m.manager === 'telemetry-client' && m.operation === 'Apply'),
          id,
        ).to.equal(true)
      }
      expect(objectOf('svc-cd')).to.equal(undefined)
      expect(ownPart(objectOf('svc-c3'))).to.deep.equal(ownPart(written.get('svc-c3')))
      expect(live.harness.stack.scrapeConfigs() ?? '', 'the secret is not touched in scrapeconfig mode').to.equal('')

      // the facts are in the log under the run's request id
      const store = createEventStore(live.redis, live.prefix)
      const events = await store.readEvents('svc-c1')
      expect(events[events.length - 1]?.event).to.include({ type: 'ScrapeJobRegistered', jobName: 'svc-c1' })
      expect(String(events[events.length - 1]?.event.requestId)).to.match(/^reconcile:/)

      const again = await reconcileCli('--dry-run', '--json')
      expect(again.code).to.equal(0)
      expect(driftOf(again)).to.deep.equal([])
    })

    it("an object of a service's name that the service did not create is not its job: reported, the repair fails, the object is left alone", async () => {
      kube().deleteScrapeConfig(NS, scrapeConfigName('svc-c3'))
      const foreign = {
        apiVersion: 'monitoring.coreos.com/v1alpha1',
        kind: 'ScrapeConfig',
        metadata: { name: scrapeConfigName('svc-c3'), labels: { team: 'other' } },
        spec: { jobName: 'theirs', staticConfigs: [{ targets: ['other:9090'] }] },
      }
      kube().setScrapeConfig(NS, foreign)
      const dry = await reconcileCli('--dry-run', '--service', 'svc-c3', '--json')
      expect(dry.code).to.equal(2)
      const [drift] = driftOf(dry)
      expect(drift).to.include({ kind: 'job-missing', serviceId: 'svc-c3', foreign: true })
      expect(drift?.description).to.match(
        /^job svc-c3 has no ScrapeConfig; an object of its name exists that this service did not create, so the repair will fail on it/,
      )

      const repair = await reconcileCli('--service', 'svc-c3')
      expect(repair.code).to.equal(1)
      expect(repair.stdout).to.match(/NOT repaired: scrape target write failed: .*not created by this service/)
      expect(objectOf('svc-c3')?.spec).to.deep.equal(foreign.spec)
      expect(objectOf('svc-c3')?.metadata.labels).to.deep.equal({ team: 'other' })
    })
  })
})
