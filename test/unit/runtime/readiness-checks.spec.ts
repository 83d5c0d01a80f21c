import { expect } from 'chai'
import { startReadinessChecks, type ReadinessChecks } from '../../../src/runtime/readiness-checks.js'

const settle = (ms = 20): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

describe('readiness checks (cached facts)', () => {
  let running: ReadinessChecks | undefined
  afterEach(() => running?.stop())

  it('given checks not run yet, then each is not ok with "not checked yet"', () => {
    running = startReadinessChecks([{ name: 'slow', intervalMs: 1000, check: () => new Promise<string>(() => undefined) }])
    expect(running.facts()['slow']).to.include({ ok: false, reason: 'not checked yet' })
  })

  it('given a check that answers, a failing one and a hung one, then ok, the reason, and the time-out', async () => {
    running = startReadinessChecks(
      [
        { name: 'up', intervalMs: 1000, check: () => Promise.resolve('PONG') },
        { name: 'down', intervalMs: 1000, check: () => Promise.reject(new Error('connection refused')) },
        { name: 'hung', intervalMs: 1000, check: () => new Promise<string>(() => undefined) },
      ],
      { timeoutMs: 30 },
    )
    await settle(60)
    const facts = running.facts()
    expect(facts['up']).to.include({ ok: true, reason: 'PONG' })
    expect(facts['down']).to.include({ ok: false, reason: 'connection refused' })
    expect(facts['hung']).to.include({ ok: false, reason: 'no answer within 30 ms' })
  })

  it('when the process reports a fact (a consumer group joined), then it shows at once, before the next run', async () => {
    let member = false
    running = startReadinessChecks([
      { name: 'kafka', intervalMs: 60_000, check: () => (member ? Promise.resolve('member') : Promise.reject(new Error('not a member'))) },
    ])
    await settle()
    expect(running.facts()['kafka']).to.include({ ok: false })
    member = true
    running.report('kafka', true, 'member')
    expect(running.facts()['kafka']).to.include({ ok: true, reason: 'member' })
    running.report('unknown', true, 'ignored')
    expect(running.facts()).to.not.have.property('unknown')
  })
})
