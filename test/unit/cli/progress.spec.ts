import { expect } from 'chai'
import { createProgress, renderBar } from '../../../src/cli/progress.js'

const sink = (isTTY: boolean) => {
  const out: string[] = []
  return { out, stream: { write: (t: string) => out.push(t), isTTY } }
}

describe('cli/progress', () => {
  it('renders a bar with percentage and counts', () => {
    expect(renderBar('replay', 37, 100, 10)).to.equal('replay [####------]  37% 37/100')
    expect(renderBar('x', 0, 0, 4)).to.equal('x [####] 100% 0/0')
  })

  it('draws on a TTY, throttled, and ends with a newline', () => {
    let now = 0
    const { out, stream } = sink(true)
    const p = createProgress({ stream, label: 'l', total: 10, width: 10, intervalMs: 100, nowMs: () => now })
    p.tick(1)
    p.tick(1) // within 100 ms: no redraw
    now = 150
    p.tick(3)
    p.done()
    p.done()
    expect(out).to.deep.equal(['\rl [#---------]  10% 1/10', '\rl [#####-----]  50% 5/10', '\n'])
  })

  it('is silent when not a TTY, unless forced; never when force is false', () => {
    const plain = sink(false)
    createProgress({ stream: plain.stream, label: 'l', total: 1 }).done()
    expect(plain.out).to.deep.equal([])
    const forced = sink(false)
    const p = createProgress({ stream: forced.stream, label: 'l', total: 0, force: true, width: 2 })
    p.addTotal(2)
    p.tick(2)
    p.done()
    expect(forced.out.join('')).to.equal('\rl [##] 100% 2/2\n')
    const off = sink(true)
    createProgress({ stream: off.stream, label: 'l', total: 1, force: false }).done()
    expect(off.out).to.deep.equal([])
  })
})
