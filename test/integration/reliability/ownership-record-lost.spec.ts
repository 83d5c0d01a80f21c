/**
 * The ownership record is never silently lost (issue #18 item 2), under load: 40 services live,
 * then the secret is re-applied from a manifest that only knows the list key (the ownership key
 * is gone) with 10 of the jobs edited by hand; then 30 deletes (20 untouched jobs, the 10 edited
 * ones) and 10 updates run at once. Every delete of an untouched job must answer SUCCESS with the
 * job gone, every delete of an edited job FAILURE naming the lost record with the job still there,
 * every update SUCCESS; nothing may answer SUCCESS while its job remains.
 */
import { expect } from 'chai'
import { DEV_SECRET } from '../../../dev/dev-stack.js'
import { OWNERSHIP_KEY } from '../../../src/codecs/apis/owned-jobs.js'
import { jobsOf, messageOf, resultsByRef, statusOf } from '../../support/invariants.js'
import { checkScrapeConfigsWithPromtool } from '../../support/promtool.js'
import { recordFigures } from './figures.js'
import { createRequest, deleteRequest } from '../../support/request-builders.js'
import { awaitOutcomes, publishAll, type SentRequest } from './scenario.js'
import { useHarness } from '../../support/harness-hooks.js'

const { namespace, name, key } = DEV_SECRET

describe('reliability: ownership record lost', function () {
  this.timeout(180_000)

  const ctx = useHarness()

  it('the ownership key dropped by a re-apply, 10 jobs edited by hand: 30 deletes and 10 updates answer as the log says, never SUCCESS with the job left', async () => {
    const startedAt = Date.now()
    const ids = Array.from({ length: 40 }, (_, i) => `orl-${i}`)
    const creates = ids.map((id, i) => createRequest(id, [`ns-${i}`], 30000 + i))
    await publishAll(creates, { gapMs: 5 })
    await awaitOutcomes(ctx.results, creates, 60_000)

    const edited = ids.slice(20, 30)
    const kube = ctx.harness.stack.kube
    let list = kube.secret(namespace, name)?.data[key] ?? ''
    for (const id of edited) list = list.replace(new RegExp(`(job_name: ${id}\\n(?:.*\\n)*?\\s+- [0-9.]+:)(\\d+)`), '$19999')
    kube.setSecret(namespace, name, { [key]: list })

    const deletes = ids.slice(0, 30).map((id) => deleteRequest(id))
    const updates = ids.slice(30).map((id, i) => createRequest(id, [`ns-${30 + i}`, 'ns-updated'], 30030 + i))
    const all: SentRequest[] = [...deletes, ...updates]
    await publishAll(all, { gapMs: 5 })
    await awaitOutcomes(ctx.results, all, 120_000)

    const byRef = resultsByRef(ctx.results.messages)
    const first = (r: SentRequest) => byRef.get(r.kogitoprocinstanceid)?.[0]
    const final = kube.secret(namespace, name)?.data ?? {}
    const names = new Set(jobsOf(final[key]).map((j) => j.job_name))
    const successWithJobLeft = deletes.filter((r) => statusOf(first(r)!) === 'SUCCESS' && names.has(String(r.data['serviceId'])))
    const removed = deletes.filter(
      (r) => !edited.includes(String(r.data['serviceId'])) && statusOf(first(r)!) === 'SUCCESS' && !names.has(String(r.data['serviceId'])),
    )
    const refused = deletes.filter(
      (r) =>
        edited.includes(String(r.data['serviceId'])) &&
        statusOf(first(r)!) === 'FAILURE' &&
        messageOf(first(r)!).includes(`is not in the ownership record ${OWNERSHIP_KEY}`) &&
        names.has(String(r.data['serviceId'])),
    )
    const updated = updates.filter((r) => statusOf(first(r)!) === 'SUCCESS' && (final[OWNERSHIP_KEY] ?? '').includes(`"${String(r.data['serviceId'])}"`))
    const promtool = await checkScrapeConfigsWithPromtool(final[key] ?? '')
    recordFigures({
      scenario: 'ownership record lost: the secret re-applied without its ownership key, 10 of 40 jobs edited by hand; 30 deletes + 10 updates',
      requests: creates.length + all.length,
      faults: { 'kubectl-apply:ownership key dropped': 1, 'hand edit:job target': edited.length },
      inputs: 0,
      lost: all.filter((r) => first(r) === undefined).length,
      duplicateJobs: jobsOf(final[key]).length - names.size,
      promtool: promtool.ok ? 'pass' : 'FAIL',
      seconds: (Date.now() - startedAt) / 1000,
      notes: `deletes of untouched jobs removed, SUCCESS: ${removed.length}/20; deletes of edited jobs refused, FAILURE naming the lost record, job kept: ${refused.length}/10; updates SUCCESS and re-recorded: ${updated.length}/10; SUCCESS while the job remains: ${successWithJobLeft.length}`,
    })
    expect(successWithJobLeft.map((r) => r.data['serviceId'])).to.deep.equal([])
    expect(removed).to.have.length(20)
    expect(refused).to.have.length(10)
    expect(updated).to.have.length(10)
    expect(promtool.ok, promtool.output).to.equal(true)
  })
})
