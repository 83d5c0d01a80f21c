/**
 * Keeps bench/ from rotting: every benchmark runs once at its tiny "smoke" size against its own
 * Redis, Kafka mock and simulators (the suite starts and stops them). No timing is asserted here:
 * figures on a busy CI machine mean nothing; `npm run bench` is where numbers come from.
 */
import { expect } from 'chai'
import type { BenchId } from '../../../bench/figure.js'
import { floorNode } from '../../../bench/runtimes.js'
import { runSuite, type SuiteOutcome } from '../../../bench/suite.js'

const ALL: readonly BenchId[] = ['B1', 'B2', 'B3', 'B4', 'B5', 'B6', 'B7', 'B8', 'B9', 'B10', 'B11', 'B12', 'B13', 'C']

describe('bench smoke (tiny sizes, no timing assertions)', function () {
  // B11/B12 start service processes of their own, and the runtime columns a bench run under the floor's Node
  this.timeout(600_000)
  let outcome: SuiteOutcome
  const lines: string[] = []

  before(async () => {
    outcome = await runSuite({ mode: 'smoke', command: 'bench smoke spec', runtimes: true, log: (line) => lines.push(line) })
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

  it('measures B1, B4 and B5 under the engines floor too, when its Node is installed (scripts/ensure-node.sh)', async function () {
    if ((await floorNode()) === undefined) this.skip()
    expect(outcome.markdown).to.include('## Runtimes: shipped Node vs the engines floor')
    expect(outcome.markdown).to.match(/\| B4 \| .+ \| .+ \| .+ \| x[\d.]+ \|/)
  })

  it('measures the service in its own process: CPU per create, peak RSS, and 0 lost with two processes in one group (B11, B12)', () => {
    expect(outcome.figures.find((f) => f.id === 'B11' && f.unit === 'ms')?.value).to.be.greaterThan(0)
    expect(outcome.figures.find((f) => f.id === 'B11' && f.unit === 'MiB')?.value).to.be.greaterThan(0)
    const scale = outcome.figures.filter((f) => f.id === 'B12')
    expect(scale).to.have.length(2)
    for (const figure of scale) expect(figure.pass, figure.notes.join('; ')).to.equal(true)
  })

  it('renders the table and the markdown report with the machine and every figure', () => {
    expect(outcome.table).to.include('B1').and.to.include('B7')
    expect(outcome.markdown).to.match(/Machine: .+ cores/)
    expect(outcome.markdown).to.include('Node.js')
    for (const figure of outcome.figures) expect(outcome.markdown).to.include(figure.name)
  })
})
