import { expect } from 'chai'
import { isRight } from 'fp-ts/lib/Either.js'
import { parseScrapeList } from '../../../../src/effects/prometheus/scrape-config-list.js'
import { yamlText } from '../../../../src/effects/prometheus/yaml-text.js'

describe('yamlText (the YAML the service writes)', () => {
  it('writes a string holding a character a YAML 1.1 reader takes for a line break or a space double-quoted and escaped, and reads it back unchanged', () => {
    for (const value of ['a\u2028b', 'a\u0085b', '\u00a0', '\ufeffx', 'x\u007f', 'a\u0001b', 'lone \ud800']) {
      const text = yamlText([{ job_name: value }])
      expect(text, JSON.stringify(value)).to.match(/^- job_name: "[\x20-\x7e]*"\n$/)
      const back = parseScrapeList(text)
      expect(isRight(back) && back.right.items[0]?.jobName, JSON.stringify(value)).to.equal(value)
    }
  })

  it('quotes what YAML 1.1 would re-type (keys too: y is a bool there), inlines repeated objects, never folds', () => {
    const shared = { a: 'yes' }
    expect(yamlText({ x: shared, y: shared, on: '0x1F', long: 'w '.repeat(100).trim() })).to.equal(
      `x:\n  a: 'yes'\n'y':\n  a: 'yes'\n'on': '0x1F'\nlong: ${'w '.repeat(100).trim()}\n`,
    )
  })

  it('quotes a << key, so a reader with merge keys (Prometheus, and the service itself) reads a plain key, not a merge', () => {
    const job = { job_name: 'a', extra: { '<<': 0, x: '<<' } }
    const text = yamlText([job])
    expect(text).to.include("'<<': 0")
    const back = parseScrapeList(text)
    expect(isRight(back) && back.right.items[0]?.value).to.deep.equal(job)
  })
})
