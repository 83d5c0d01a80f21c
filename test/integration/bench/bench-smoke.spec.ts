/**
 * Keeps bench/ from rotting: every benchmark runs once at its tiny "smoke" size against its own
 * Redis, Kafka mock and simulators (the suite starts and stops them). No timing is asserted here:
 * figures on a busy CI machine mean nothing; `npm run bench` is where numbers come from.
 */
import { expect } from 'chai'
import type { BenchId } from '../../../bench/figure.js'
import { runSuite, type SuiteOutcome } from '../../../bench/suite.js'

const ALL: readonly BenchId[] = ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8', 'B9', 'B10', 'C']

describe('bench smoke (tiny sizes, no timing assertions)', function () {
  this.timeout(150_000)
  let outcome: SuiteOutcome
  const lines: string[] = []

  before(async () => {
    outcome = await runSuite({ mode: 'smoke', command: 'bench smoke spec', log: (line) => lines.push(line) })
  })

  it('produces figures for every benchmark and the capacity', () => {
    const ids = new Set(outcome.figures.map((f) => f.id))
    expect([...ids].sort()).to.deep.equal([...ALL].sort())
  })

  it('every figure is a finite number with its runs', () => {
    for (const figure of outcome.figures) {
      expect(Number.isFinite(figure.value), `${figure.id} ${figure.name}`).to.equal(true)
      expect(figure.runs.length, `${figure.id} ${figure.name}`).to.be.greaterThan(0)
    }
  })

  it('loses no job and answers every request (B3)', () => {
    const lost = outcome.figures.find((f) => f.id === 'B3' && f.unit === 'jobs')
    expect(lost?.value).to.equal(0)
  })

  it('renders the table and the markdown report with the machine and every figure', () => {
    expect(outcome.table).to.include('B1').and.to.include('B7')
    expect(outcome.markdown).to.match(/Machine: .+ cores/)
    expect(outcome.markdown).to.include('Node.js')
    for (const figure of outcome.figures) expect(outcome.markdown).to.include(figure.name)
  })
})
