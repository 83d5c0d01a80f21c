import { expect } from 'chai'
import sinon from 'sinon'
import { createHedger, hedgePolicyFor, type Hedger, type ReadOutcome } from '../../../src/effects/hedged-read.js'

/** A read that answers `value` after `ms` (fake time) and stops when aborted, like fetch. */
const after =
  <T>(ms: number, value: T, aborted: { count: number } = { count: 0 }) =>
  (signal: AbortSignal): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => resolve(value), ms)
      signal.addEventListener('abort', () => {
        clearTimeout(timer)
        aborted.count += 1
        reject(new Error('aborted'))
      })
    })

const failAfter =
  (ms: number, message: string) =>
  (signal: AbortSignal): Promise<string> =>
    new Promise<string>((_resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(message)), ms)
      signal.addEventListener('abort', () => {
        clearTimeout(timer)
        reject(new Error('aborted'))
      })
    })

/** the first copy hangs for 1 s, any second copy answers in 10 ms: the hedge shows in the timing */
const slowFirst = () => {
  let copies = 0
  return (signal: AbortSignal): Promise<string> => (copies++ === 0 ? after(1000, 'slow')(signal) : after(10, 'copy')(signal))
}

/** "503" is the failing server; "404" is an answer like any other */
const distress = (outcome: ReadOutcome<string>): boolean => !outcome.ok && outcome.error instanceof Error && outcome.error.message === '503'

describe('hedged reads', () => {
  let clock: sinon.SinonFakeTimers
  let hedger: Hedger

  /** n reads of `ms` each, one after the other: the kind's latency history */
  const warmUp = async (n: number, ms = 10): Promise<void> => {
    for (let i = 0; i < n; i++) {
      const read = hedger.read('secret.get', after(ms, 'ok'))
      await clock.tickAsync(ms)
      await read
    }
  }
  /** when the read settled, in fake ms after it started, and how */
  const timed = async <T>(read: Promise<T>, advanceMs: number): Promise<{ at: number; outcome: ReadOutcome<T> }> => {
    const start = Date.now()
    let at = -1
    let outcome: ReadOutcome<T> | undefined
    read.then(
      (value) => {
        at = Date.now() - start
        outcome = { ok: true, value }
      },
      (error: unknown) => {
        at = Date.now() - start
        outcome = { ok: false, error }
      },
    )
    await clock.tickAsync(advanceMs)
    if (outcome === undefined) throw new Error('the read did not settle')
    return { at, outcome }
  }

  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000, toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    hedger = createHedger({ now: () => Date.now() })
  })
  afterEach(() => clock.restore())

  /** After the warm-up, one read whose first copy answers after `firstMs` and whose hedge after `copyMs`; the loser is aborted. */
  const firstAndCopy = async (firstMs: number, copyMs: number) => {
    await warmUp(20)
    const aborted = { count: 0 }
    let copies = 0
    const read = hedger.read('secret.get', (signal) => (copies++ === 0 ? after(firstMs, 'first', aborted)(signal) : after(copyMs, 'copy', aborted)(signal)))
    return { ...(await timed(read, 1000)), aborted }
  }

  it('given fewer than 20 known latencies, when a read is slow, then no second copy is sent', async () => {
    await warmUp(19)
    const { at, outcome } = await timed(hedger.read('secret.get', slowFirst()), 1000)
    expect(outcome).to.deep.equal({ ok: true, value: 'slow' })
    expect(at).to.equal(1000)
    expect(hedger.counts.get('secret.get')).to.deep.equal({ calls: 20, sent: 0, won: 0, budgetSpent: 0, quiet: 0 })
  })

  it('given reads of 10 ms, when one has not answered after the p95 (10 ms), then a copy is sent, its answer wins and the first is aborted', async () => {
    const { at, outcome, aborted } = await firstAndCopy(1000, 10)
    expect({ outcome, at, aborted: aborted.count }).to.deep.equal({ outcome: { ok: true, value: 'copy' }, at: 20, aborted: 1 })
    expect(hedger.counts.get('secret.get')).to.deep.equal({ calls: 21, sent: 1, won: 1, budgetSpent: 0, quiet: 0 })
  })

  it('given a hedge in flight, when the first copy answers first, then its answer wins and the copy is aborted', async () => {
    const { at, outcome, aborted } = await firstAndCopy(15, 1000)
    expect({ outcome, at, aborted: aborted.count }).to.deep.equal({ outcome: { ok: true, value: 'first' }, at: 15, aborted: 1 })
    expect(hedger.counts.get('secret.get')).to.deep.equal({ calls: 21, sent: 1, won: 0, budgetSpent: 0, quiet: 0 })
  })

  it('given many slow reads at once, then extra calls stay within 5% of the calls in the window', async () => {
    await warmUp(40)
    const reads = Array.from({ length: 60 }, () => hedger.read('secret.get', after(500, 'slow')))
    await clock.tickAsync(600)
    await Promise.all(reads)
    const counts = hedger.counts.get('secret.get')
    expect(counts?.calls).to.equal(100)
    expect(counts?.sent).to.equal(5)
  })

  it('given the budget was spent, when the window slides past those calls, then hedging resumes', async () => {
    await warmUp(20)
    await timed(hedger.read('secret.get', slowFirst()), 1000)
    const spent = await timed(hedger.read('secret.get', slowFirst()), 1000)
    expect(spent.at, 'budget spent: no copy').to.equal(1000)
    await clock.tickAsync(30_000)
    await warmUp(20)
    const resumed = await timed(hedger.read('secret.get', slowFirst()), 1000)
    expect(resumed.at).to.equal(20)
    expect(hedger.counts.get('secret.get')?.sent).to.equal(2)
  })

  it('given low traffic (20 calls in the window, 5% of which is below one), then one copy per window is still allowed, and a second is held back as budget spent', async () => {
    await warmUp(20)
    await clock.tickAsync(29_000)
    const first = await timed(hedger.read('secret.get', slowFirst()), 1000)
    expect(first.outcome).to.deep.equal({ ok: true, value: 'copy' })
    await clock.tickAsync(1_000)
    // the window now holds only the hedged read and this one
    const second = await timed(hedger.read('secret.get', slowFirst()), 1000)
    expect(second.outcome).to.deep.equal({ ok: true, value: 'slow' })
    expect(hedger.counts.get('secret.get')).to.include({ sent: 1, budgetSpent: 1, quiet: 0 })
  })

  it('given HEDGE_MAX_EXTRA_RATIO=0, then no copy is ever sent', async () => {
    hedger = createHedger({ now: () => Date.now(), policy: hedgePolicyFor(0) })
    await warmUp(40)
    const slow = await timed(hedger.read('secret.get', slowFirst()), 1000)
    expect(slow.outcome).to.deep.equal({ ok: true, value: 'slow' })
    expect(hedger.counts.get('secret.get')).to.include({ sent: 0, budgetSpent: 1 })
  })

  it('given a distress answer (503), then no copy is sent for 10 s, and after that again', async () => {
    await warmUp(40)
    const failed = await timed(hedger.read('secret.get', failAfter(5, '503'), distress), 5)
    expect(failed.outcome.ok).to.equal(false)
    const quiet = await timed(hedger.read('secret.get', slowFirst(), distress), 1000)
    expect(quiet.at).to.equal(1000)
    await clock.tickAsync(10_000)
    const resumed = await timed(hedger.read('secret.get', slowFirst(), distress), 1000)
    expect(resumed.at).to.equal(20)
  })

  it('given a hedge in flight, when the first copy fails with distress, then the copy’s answer is used', async () => {
    await warmUp(20)
    let copies = 0
    const read = hedger.read('secret.get', (signal) => (copies++ === 0 ? failAfter(15, '503')(signal) : after(10, 'copy')(signal)), distress)
    const { at, outcome } = await timed(read, 1000)
    expect(outcome).to.deep.equal({ ok: true, value: 'copy' })
    expect(at).to.equal(20)
  })

  it('given a hedge in flight, when a copy answers 404 (not distress), then that answer stands at once', async () => {
    await warmUp(20)
    let copies = 0
    const read = hedger.read('secret.get', (signal) => (copies++ === 0 ? failAfter(15, '404')(signal) : after(1000, 'copy')(signal)), distress)
    const { at, outcome } = await timed(read, 1000)
    expect(at).to.equal(15)
    expect(outcome.ok).to.equal(false)
    expect(!outcome.ok && outcome.error instanceof Error && outcome.error.message).to.equal('404')
  })

  it('given a hedge in flight, when the copy answers 404 first, then that answer stands and counts as won', async () => {
    await warmUp(20)
    let copies = 0
    const read = hedger.read('secret.get', (signal) => (copies++ === 0 ? after(1000, 'first')(signal) : failAfter(10, '404')(signal)), distress)
    const { at, outcome } = await timed(read, 1000)
    expect(at).to.equal(20)
    expect(!outcome.ok && outcome.error instanceof Error && outcome.error.message).to.equal('404')
    expect(hedger.counts.get('secret.get')).to.deep.equal({ calls: 21, sent: 1, won: 1, budgetSpent: 0, quiet: 0 })
  })

  it('given both copies fail, then the first failure is reported', async () => {
    await warmUp(20)
    let copies = 0
    const read = hedger.read(
      'secret.get',
      (signal) => (copies++ === 0 ? failAfter(15, '503')(signal) : failAfter(20, '503 again')(signal)),
      (o) => !o.ok,
    )
    const { outcome } = await timed(read, 1000)
    expect(!outcome.ok && outcome.error instanceof Error && outcome.error.message).to.equal('503')
  })

  it('keeps latencies per kind: a slow kind does not delay another kind’s hedge', async () => {
    await warmUp(20, 10)
    for (let i = 0; i < 20; i++) {
      const read = hedger.read('scrapeconfig.get', after(300, 'ok'))
      await clock.tickAsync(300)
      await read
    }
    const fast = await timed(hedger.read('secret.get', slowFirst()), 1000)
    expect(fast.at).to.equal(20)
  })
})
