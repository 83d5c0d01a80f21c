import { expect } from 'chai'
import { Writable } from 'node:stream'
import { firstValueFrom, of } from 'rxjs'
import type { JobEditOutcome, ScrapeTargets } from '../../../src/effects/kube/scrape-targets.js'
import { reportingLostRecords } from '../../../src/runtime/rooms/lost-record-report.js'
import { createMetrics } from '../../../src/runtime/metrics.js'
import { createLogger } from '../../../src/support/logger.js'

const targetsAnswering = (outcome: JobEditOutcome): ScrapeTargets => ({ submit: () => of(outcome) })

describe('reportingLostRecords', () => {
  const setUp = (outcome: JobEditOutcome) => {
    const lines: string[] = []
    const logger = createLogger('info', new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) }))
    const metrics = createMetrics({ openLanes: () => 0, grafanaRetries: () => new Map() })
    return { lines, metrics, targets: reportingLostRecords(targetsAnswering(outcome), 'secret', metrics, logger) }
  }
  const count = async (metrics: ReturnType<typeof createMetrics>, verdict: string): Promise<number> =>
    (await metrics.ownershipRecordLost.get()).values.find((v) => v.labels['verdict'] === verdict)?.value ?? 0

  it('counts and logs an error for an edit that met a lost record, with its verdict', async () => {
    const { lines, metrics, targets } = setUp({ ok: false, reason: 'refused', retryable: false, lostRecord: 'job differs' })
    const outcome = await firstValueFrom(targets.submit({ op: 'remove', jobName: 'svc-a', recorded: 'f' }))
    expect(outcome).to.include({ ok: false })
    expect(await count(metrics, 'refused')).to.equal(1)
    expect(lines.join('')).to.include('"level":50').and.include('ownership record lost').and.include('"jobName":"svc-a"')
  })

  it('passes every other outcome through untouched and silent', async () => {
    const { lines, metrics, targets } = setUp({ ok: true, changed: true, wasPresent: true })
    expect(await firstValueFrom(targets.submit({ op: 'remove', jobName: 'svc-a' }))).to.deep.equal({ ok: true, changed: true, wasPresent: true })
    expect(await count(metrics, 'refused')).to.equal(0)
    expect(await count(metrics, 'matched-log')).to.equal(0)
    expect(lines).to.deep.equal([])
  })
})
