/**
 * The delay rules every retrying layer shares (src/support/backoff.ts), with a fake random and a
 * fixed clock. The layers' own specs check that they wait these delays (the Grafana transport,
 * the secret and ScrapeConfig writers, the inbox, the Kafka consumer restart, the retry schedule).
 */
import { expect } from 'chai'
import { backoffCeiling, backoffDelay, boundedRetryAfter, nextAttemptAt, parseRetryAfter, type Backoff } from '../../../src/support/backoff.js'
import { defaultRetryOptions } from '../../../src/effects/retry-policy.js'
import { KUBE_WRITE_BACKOFF } from '../../../src/effects/kube/kube-write-backoff.js'

const TOP = () => 0.999999
const BOTTOM = () => 0
const HALF = () => 0.5
const delays = (backoff: Backoff, random: () => number, attempts: readonly number[]) => attempts.map((attempt) => backoffDelay(attempt, backoff, random))

describe('support/backoff', () => {
  describe('capped exponential ceiling', () => {
    it('starts at the base for the first retry (attempt 0) and doubles up to the cap', () => {
      expect([0, 1, 2, 3, 4, 5, 6].map((attempt) => backoffCeiling(attempt, { baseDelayMs: 200, maxDelayMs: 5000 }))).to.deep.equal([
        200, 400, 800, 1600, 3200, 5000, 5000,
      ])
    })

    it('stays finite and capped for any attempt number, and reads a negative attempt as the first retry', () => {
      const backoff = { baseDelayMs: 1000, maxDelayMs: 60_000 }
      expect(backoffCeiling(1_000_000, backoff)).to.equal(60_000)
      expect(backoffCeiling(Number.MAX_SAFE_INTEGER, backoff)).to.equal(60_000)
      expect(backoffCeiling(-3, backoff)).to.equal(1000)
    })
  })

  describe('full jitter (the Grafana transport and the Kubernetes writers)', () => {
    const grafana: Backoff = { baseDelayMs: defaultRetryOptions.baseDelayMs, maxDelayMs: defaultRetryOptions.maxDelayMs, jitter: 'full' }

    it('waits uniformly in [0, ceiling): just under the ceiling at the top, 0 at the bottom', () => {
      expect(delays(grafana, TOP, [0, 1, 2, 3, 4, 5])).to.deep.equal([199, 399, 799, 1599, 3199, 4999])
      expect(delays(grafana, BOTTOM, [0, 3, 10])).to.deep.equal([0, 0, 0])
    })

    it('Kubernetes writes: 100 ms doubling to 2 s (attempt n of a writer is retry n - 1)', () => {
      expect(delays(KUBE_WRITE_BACKOFF, HALF, [0, 1, 2, 3, 4, 5])).to.deep.equal([50, 100, 200, 400, 800, 1000])
    })

    it('gives whole milliseconds', () => {
      expect(backoffDelay(0, grafana, () => 0.123456)).to.equal(24)
    })
  })

  describe("equal jitter (a request's patience: REQUEST_RETRY_BASE_DELAY, REQUEST_RETRY_MAX_DELAY)", () => {
    const patience: Backoff = { baseDelayMs: 1000, maxDelayMs: 60_000, jitter: 'equal' }

    it('waits half the ceiling plus a uniform share of the other half, capped', () => {
      expect(delays(patience, BOTTOM, [0, 1, 2, 3, 10])).to.deep.equal([500, 1000, 2000, 4000, 30_000])
      expect(delays(patience, TOP, [0, 1, 2, 3, 10]).map((ms) => Math.round(ms / 10) * 10)).to.deep.equal([1000, 2000, 4000, 8000, 60_000])
    })

    it('never waits less than half the ceiling, whatever the random draw', () => {
      for (const draw of [0, 0.1, 0.5, 0.9, 0.999999]) {
        const attempt = 4
        const ms = backoffDelay(attempt, patience, () => draw)
        expect(ms).to.be.at.least(8000).and.below(16_000)
      }
    })
  })

  describe('no jitter (one waiting caller: the inbox, the Kafka consumer restart)', () => {
    it('waits the ceiling and ignores the random draw', () => {
      const inbox: Backoff = { baseDelayMs: 200, maxDelayMs: 5000, jitter: 'none' }
      const restart: Backoff = { baseDelayMs: 1000, maxDelayMs: 30_000, jitter: 'none' }
      expect(
        delays(inbox, () => {
          throw new Error('no jitter draws no random number')
        }, [0, 1, 2, 3, 4, 5]),
      ).to.deep.equal([200, 400, 800, 1600, 3200, 5000])
      expect(delays(restart, TOP, [0, 1, 2, 3, 4, 5, 6])).to.deep.equal([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000])
    })

    it('defaults the random source, so callers without jitter pass none', () => {
      expect(backoffDelay(2, { baseDelayMs: 200, maxDelayMs: 5000, jitter: 'none' })).to.equal(800)
    })
  })

  describe('Retry-After', () => {
    it('replaces the computed delay, exactly, when within the bound', () => {
      expect(backoffDelay(0, KUBE_WRITE_BACKOFF, HALF, 1500)).to.equal(1500)
      // above the writers' computed cap (2 s) but within their Retry-After bound (10 s)
      expect(backoffDelay(0, KUBE_WRITE_BACKOFF, HALF, 7000)).to.equal(7000)
      expect(backoffDelay(3, { baseDelayMs: 200, maxDelayMs: 5000, jitter: 'full' }, HALF, 2000)).to.equal(2000)
    })

    it('is bounded, so an outsider cannot make us sleep for hours: maxRetryAfterMs, else maxDelayMs', () => {
      expect(backoffDelay(0, KUBE_WRITE_BACKOFF, HALF, 3_600_000)).to.equal(10_000)
      expect(backoffDelay(0, { baseDelayMs: 200, maxDelayMs: 5000, jitter: 'full' }, HALF, 60_000)).to.equal(5000)
      expect(boundedRetryAfter(Number.POSITIVE_INFINITY, { maxDelayMs: 5000 })).to.equal(5000)
    })

    it('is never negative; an unreadable (NaN) one leaves the computed delay', () => {
      expect(backoffDelay(0, KUBE_WRITE_BACKOFF, HALF, -5000)).to.equal(0)
      expect(backoffDelay(1, KUBE_WRITE_BACKOFF, HALF, Number.NaN)).to.equal(100)
    })

    describe('parseRetryAfter', () => {
      const now = Date.parse('2025-01-01T00:00:00Z')

      it('reads delta-seconds, a fraction too, and surrounding blanks', () => {
        expect(parseRetryAfter('2', now)).to.equal(2000)
        expect(parseRetryAfter('0', now)).to.equal(0)
        expect(parseRetryAfter(' 3 ', now)).to.equal(3000)
        expect(parseRetryAfter('1.5', now)).to.equal(1500)
      })

      it('reads an HTTP date (IMF-fixdate and the obsolete forms) against the given clock; a past date is 0', () => {
        expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:03 GMT', now)).to.equal(3000)
        expect(parseRetryAfter('Wednesday, 01-Jan-25 00:00:05 GMT', now)).to.equal(5000)
        expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).to.equal(0)
        expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:03 GMT', now + 1000)).to.equal(2000)
      })

      it('is undefined when absent or unreadable, never a date guessed from a number', () => {
        for (const header of [null, undefined, '', '   ', 'soon', '-1', '1.2.3', '0x10'])
          expect(parseRetryAfter(header, now), String(header)).to.equal(undefined)
      })

      it('leaves the bound to the Backoff: a huge value parses, and waits only the bound', () => {
        const ms = parseRetryAfter('99999999', now)
        expect(ms).to.equal(99_999_999_000)
        expect(backoffDelay(0, KUBE_WRITE_BACKOFF, HALF, ms)).to.equal(10_000)
      })
    })
  })

  describe('deadline', () => {
    it("gives the next attempt's time while it lies before the deadline, else undefined (give up)", () => {
      expect(nextAttemptAt(1000, 500, 2000)).to.equal(1500)
      expect(nextAttemptAt(1000, 999, 2000)).to.equal(1999)
      expect(nextAttemptAt(1000, 1000, 2000)).to.equal(undefined)
      expect(nextAttemptAt(3000, 0, 2000)).to.equal(undefined)
    })

    it('ends a run of retries at the deadline whatever the draws: every attempt before it, none after', () => {
      const patience: Backoff = { baseDelayMs: 1000, maxDelayMs: 60_000, jitter: 'equal' }
      const acceptedMs = Date.parse('2025-01-01T00:00:00Z')
      const deadlineMs = acceptedMs + 15 * 60_000
      const counts = [0, 0.5, 0.999999].map((draw) => {
        const starts: number[] = []
        let now = acceptedMs
        for (let attempt = 0; ; attempt += 1) {
          const next = nextAttemptAt(
            now,
            backoffDelay(attempt, patience, () => draw),
            deadlineMs,
          )
          if (next === undefined) break
          starts.push(next)
          now = next
        }
        expect(starts.every((at) => at < deadlineMs)).to.equal(true)
        expect(now + backoffDelay(starts.length, patience, () => draw)).to.be.at.least(deadlineMs)
        return starts.length
      })
      // waits of 500 ms .. 30 s (draw 0) up to 1 s .. 60 s (draw near 1) within 15 min
      expect(counts).to.deep.equal([34, 24, 19])
    })
  })
})
