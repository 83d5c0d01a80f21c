/**
 * `telemetry-client adopt`: jobs written before the ownership record existed are taken over only
 * by the documented rule (registered in the event log, same fingerprint), never silently.
 */
import { expect } from 'chai'
import { isLeft } from 'fp-ts/lib/Either.js'
import { Readable } from 'node:stream'
import { DEV_SECRET } from '../../../dev/dev-stack.js'
import { main } from '../../../src/cli/cli.js'
import type { CliIo } from '../../../src/cli/io.js'
import { OWNERSHIP_KEY, parseOwnedJobs } from '../../../src/codecs/apis/owned-jobs.js'
import { configToEnv } from '../../../src/config/config-to-env.js'
import { fragment } from '../../../src/effects/prometheus/scrape-config-list.js'
import { federationJob } from '../../../src/effects/prometheus/scrape-job.js'
import { useHarness } from '../../support/harness-hooks.js'
import { answerTo, createRequest, deleteRequest, type SentRequest } from '../../support/request-builders.js'

const { namespace, name, key } = DEV_SECRET

describe('telemetry-client adopt (event log + kube simulator)', function () {
  this.timeout(60_000)
  const ctx = useHarness()
  const data = () => ctx.harness.stack.kube.secret(namespace, name)?.data ?? {}
  const ownedServices = (): string[] => {
    const owned = parseOwnedJobs(data()[OWNERSHIP_KEY])
    if (isLeft(owned)) throw new Error(owned.left)
    return [...owned.right].sort()
  }
  const answer = (request: SentRequest) => answerTo(ctx.results, request)
  const adopt = async (...argv: string[]) => {
    let stdout = ''
    const io: CliIo = {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: () => true, isTTY: false },
      env: configToEnv(ctx.harness.stack.config),
      stdin: Readable.from(['']),
      now: () => new Date(),
    }
    return { code: await main(['adopt', ...argv], io), stdout }
  }
  const job = (serviceId: string, host = '10.10.10.4') => federationJob({ serviceId, namespaces: ['NAMESPACE_1', 'NAMESPACE_2'], host, port: 30180 })
  const OLD_LIST = `${fragment(job('svc-old-1'))}${fragment(job('svc-old-2', '10.66.66.6'))}- job_name: team-x\n  static_configs: [{targets: ["10.9.9.9:9100"]}]\n`

  before(async () => {
    for (const serviceId of ['svc-old-1', 'svc-old-2']) expect(await answer(createRequest(serviceId))).to.include({ dashboardDataOrderStatus: 'SUCCESS' })
    // what an earlier version left: no ownership key, one job edited by hand, another team's job
    ctx.harness.stack.kube.setSecret(namespace, name, { [key]: OLD_LIST })
  })

  it('--dry-run lists each job with its verdict and changes nothing', async () => {
    const { code, stdout } = await adopt('--dry-run')
    expect(code).to.equal(1)
    expect(stdout).to.match(/^adoptable {2}svc-old-1: registered in the event log with this exact fingerprint$/m)
    expect(stdout).to.match(/^NOT adoptable {2}svc-old-2: differs from what the service rendered/m)
    expect(stdout).to.match(/^NOT adoptable {2}team-x: the event log of service team-x has no registered job$/m)
    expect(data()).to.deep.equal({ [key]: OLD_LIST })
  })

  it('adopts only what the rule allows, without touching the list text', async () => {
    const adopted = await adopt('--service', 'svc-old-1')
    expect(adopted.code, adopted.stdout).to.equal(0)
    expect(adopted.stdout).to.match(/^adopted {2}svc-old-1: /m)
    expect((await adopt('--service', 'svc-old-2')).code).to.equal(1)
    expect(ownedServices()).to.deep.equal(['svc-old-1'])
    expect(data()[key]).to.equal(OLD_LIST)
  })

  it('after adoption the service owns the job: a delete removes it, and only it', async () => {
    expect((await answer(deleteRequest('svc-old-1')))['dashboardDataOrderMessage']).to.match(/removed Prometheus job svc-old-1/)
    expect((await answer(deleteRequest('svc-old-2')))['dashboardDataOrderMessage']).to.not.match(/removed Prometheus job/)
    expect(data()[key]).to.equal(OLD_LIST.replace(fragment(job('svc-old-1')), ''))
    expect(ownedServices()).to.deep.equal([])
  })
})
