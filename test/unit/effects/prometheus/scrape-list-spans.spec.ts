import { expect } from 'chai'
import { isRight } from 'fp-ts/lib/Either.js'
import { parseScrapeList } from '../../../../src/effects/prometheus/scrape-config-list.js'
import { renderSplicedBytes, renderSplicedList, type SplicedList } from '../../../../src/effects/prometheus/scrape-list-spans.js'
import { TRICKY_FOREIGN } from '../../../fixtures/foreign-scrape-configs.js'

/** The spans come from the same parse as the values (`parseScrapeList`). */
const cut = (text: string): SplicedList => {
  const list = parseScrapeList(text)
  if (!isRight(list)) throw new Error(list.left.message)
  if (!isRight(list.right.layout)) throw new Error(list.right.layout.left)
  return list.right.layout.right
}

const itemTexts = (list: SplicedList): string[] => list.segments.flatMap((s) => (s.kind === 'item' ? [s.text] : []))

describe('cutScrapeList', () => {
  it('gives back the input byte for byte when the segments are joined', () => {
    for (const text of [
      TRICKY_FOREIGN,
      '',
      '[]\n',
      '# only a comment\n',
      '- job_name: a\n',
      '- job_name: a',
      '---\n- job_name: a\n...\n',
      '  - job_name: a\n    x: 1\n',
      '- job_name: café ☕ 𝔸\n# ünïcode\n- job_name: b\n',
    ]) {
      expect(renderSplicedList(cut(text)), JSON.stringify(text)).to.equal(text)
      const list = cut(text)
      // twice: the second render takes each segment's bytes from the cache
      for (let i = 0; i < 2; i += 1) expect(renderSplicedBytes(list).equals(Buffer.from(text, 'utf8')), JSON.stringify(text)).to.equal(true)
    }
  })

  it('cuts one item per top-level entry, named as the loader reads the job_name', () => {
    const list = cut(TRICKY_FOREIGN)
    expect(list.segments.flatMap((s) => (s.kind === 'item' ? [s.jobName] : []))).to.deep.equal(['blue-node', 'blue-flow', 'quoted-name'])
    expect(list.indent).to.equal(0)
  })

  it('leaves comments between items outside the items (they may introduce the next one)', () => {
    const [first, second] = itemTexts(cut(TRICKY_FOREIGN))
    expect(first).to.match(/^- job_name: blue-node {3}# node exporter\n/)
    expect(first).to.match(/missing: ~\n$/)
    expect(second).to.not.include('flow style on purpose')
  })

  it('records the column of an indented list so appended items line up', () => {
    expect(cut('  - job_name: a\n    x: 1\n').indent).to.equal(2)
  })

  it('gives each item segment its value from the same parse, aliases and merge keys resolved', () => {
    const items = cut('- &base {job_name: a, scrape_interval: 1m}\n# between\n- <<: *base\n  job_name: b\n').segments.flatMap((s) =>
      s.kind === 'item' ? [[s.jobName, s.value]] : [],
    )
    expect(items).to.deep.equal([
      ['a', { job_name: 'a', scrape_interval: '1m' }],
      ['b', { job_name: 'b', scrape_interval: '1m' }],
    ])
  })

  it('marks `[]` and null as the empty list', () => {
    expect(cut('[]\n').segments).to.deep.equal([{ kind: 'empty', text: '[]\n' }])
    expect(cut('# c\n~\n').segments.map((s) => s.kind)).to.deep.equal(['text', 'empty'])
  })

  it('refuses a non-empty flow-style list (readable, not editable in place) and several documents', () => {
    const flow = parseScrapeList('[{job_name: a}]\n')
    expect(isRight(flow) && flow.right.items.map((item) => item.jobName)).to.deep.equal(['a'])
    expect(isRight(flow) && flow.right.layout).to.deep.include({ _tag: 'Left' })
    expect(parseScrapeList('- a: 1\n---\n- b: 1\n')).to.deep.include({ _tag: 'Left' })
  })
})
