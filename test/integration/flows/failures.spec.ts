/**
 * The scrape-config secret under pressure, end to end: a storm of 409s, a competing writer that
 * edits the secret out of band while our creates are in flight, the secret deleted, and the key
 * holding YAML nobody can parse. Nothing may be lost, duplicated, recreated or overwritten.
 */
import { expect } from 'chai'
import { dump } from '../../support/yaml.js'
import { DEV_SECRET } from '../../../dev/dev-stack.js'
import { checkScrapeConfigsWithPromtool } from '../../support/promtool.js'
import { useHarness } from '../../support/harness-hooks.js'
import { answerTo, createRequest, dataOf, jobNamesIn, jobsIn, publishRequests, resultOf } from '../../support/request-builders.js'
import { metricTotal } from '../../support/metric-values.js'

const { namespace, name, key } = DEV_SECRET

describe('Kubernetes secret failures end to end', function () {
  this.timeout(60_000)
  const ctx = useHarness()
  afterEach(() => ctx.harness.stack.kube.faults.clear())

  const kube = () => ctx.harness.stack.kube
  const secretText = () => kube().secret(namespace, name)?.data[key]

  const expectValidUniqueJobs = async (): Promise<string[]> => {
    const names = jobNamesIn(secretText())
    expect(new Set(names).size, `duplicate job_name in ${names.join(', ')}`).to.equal(names.length)
    const promtool = await checkScrapeConfigsWithPromtool(secretText() ?? '')
    expect(promtool.ok, promtool.output).to.equal(true)
    return names
  }

  /** A create for `serviceId` answers FAILURE at the scrape job, saying `why`. */
  const expectJobFailure = async (serviceId: string, why: RegExp): Promise<void> => {
    const data = await answerTo(ctx.results, createRequest(serviceId))
    expect(data).to.include({ serviceId, dashboardDataOrderStatus: 'FAILURE' })
    expect(data['dashboardDataOrderMessage'])
      .to.be.a('string')
      .and.match(/registering the Prometheus scrape job/)
      .and.match(why)
  }

  it('a storm of five 409s on PUT: re-read and retried, every create SUCCESS, no job lost', async () => {
    kube().faults.add({ kind: 'secret.put', effect: { type: 'status', status: 409 }, times: 5 })
    const requests = Array.from({ length: 8 }, (_, i) => createRequest(`svc-storm-${i}`))
    await publishRequests(requests)
    for (const request of requests) {
      expect(dataOf(await resultOf(ctx.results, request))['dashboardDataOrderStatus'], request.data.serviceId).to.equal('SUCCESS')
    }
    expect(kube().faults.injected.get('secret.put')).to.equal(5)
    expect(await metricTotal(ctx.harness.service, 'telemetry_secret_conflicts_total')).to.be.at.least(5)
    expect(await expectValidUniqueJobs()).to.include.members(requests.map((r) => r.data.serviceId))
    expect(kube().maxConcurrentWrites).to.equal(1)
  })

  it('a competing writer editing the secret while 20 creates are in flight: both writers keep every job', async () => {
    const conflictsBefore = await metricTotal(ctx.harness.service, 'telemetry_secret_conflicts_total')
    const requests = Array.from({ length: 20 }, (_, i) => createRequest(`svc-race-${i}`, [`ns-${i}`]))
    const otherJobs: string[] = []
    // The other writer reads the current value and writes it back with one more job of its own,
    // unconditionally (as `kubectl apply` of a whole secret would), every few milliseconds.
    const writeOtherJob = (): void => {
      const jobName = `other-writer-${otherJobs.length}`
      const jobs = [...jobsIn(secretText()), { job_name: jobName, static_configs: [{ targets: [`10.0.0.${otherJobs.length + 1}:9100`] }] }]
      kube().setSecret(namespace, name, { ...kube().secret(namespace, name)?.data, [key]: dump(jobs) })
      otherJobs.push(jobName)
    }
    let timer: NodeJS.Timeout | undefined
    try {
      const published = publishRequests(requests)
      timer = setInterval(() => {
        if (otherJobs.length < 40) writeOtherJob()
      }, 15)
      await published
      await Promise.all(requests.map((r) => resultOf(ctx.results, r)))
    } finally {
      clearInterval(timer)
    }
    for (const request of requests) {
      expect(dataOf(await resultOf(ctx.results, request))['dashboardDataOrderStatus'], request.data.serviceId).to.equal('SUCCESS')
    }
    expect(otherJobs.length).to.be.at.least(3)
    const names = await expectValidUniqueJobs()
    expect(names).to.include.members(requests.map((r) => r.data.serviceId))
    expect(names).to.include.members(otherJobs)
    // the race really happened: our writer hit stale resourceVersions and re-applied its batch
    expect((await metricTotal(ctx.harness.service, 'telemetry_secret_conflicts_total')) - conflictsBefore).to.be.at.least(1)
    expect(kube().maxConcurrentWrites).to.equal(1)
  })

  it('the secret deleted: FAILURE with a clear message, and the secret is not recreated', async () => {
    const saved = secretText() ?? ''
    kube().deleteSecret(namespace, name)
    try {
      await expectJobFailure('svc-no-secret', new RegExp(`secret ${namespace}/${name}.* not found`))
      expect(kube().secret(namespace, name)).to.equal(undefined)
      expect(ctx.harness.stack.grafana.dashboards().filter((d) => d.uid.endsWith('svc-no-secret'))).to.deep.equal([])
    } finally {
      kube().setSecret(namespace, name, { [key]: saved })
    }
  })

  it('the key holding invalid YAML: FAILURE, and the key is left exactly as it was', async () => {
    const saved = secretText() ?? ''
    const broken = `${saved}- job_name: hand-edited\n  static_configs: [{targets: ['10.1.1.1:9100']\n`
    kube().setSecret(namespace, name, { [key]: broken })
    const version = kube().secret(namespace, name)?.resourceVersion
    try {
      await expectJobFailure('svc-bad-yaml', /invalid/i)
      expect(secretText()).to.equal(broken)
      expect(kube().secret(namespace, name)?.resourceVersion).to.equal(version)
    } finally {
      kube().setSecret(namespace, name, { [key]: saved })
    }
  })

  it('after the secret is repaired, a new request for the failed service succeeds', async () => {
    const request = createRequest('svc-bad-yaml')
    expect((await answerTo(ctx.results, request))['dashboardDataOrderStatus']).to.equal('SUCCESS')
    expect(await expectValidUniqueJobs()).to.include('svc-bad-yaml')
  })
})
