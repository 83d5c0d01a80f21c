import { expect } from 'chai'
import { namespaceSelector, promqlString } from '../../../../src/effects/prometheus/promql.js'
import { checkPromqlWithPromtool, evalPromqlWithPromtool } from '../../../support/promtool.js'

const series = (namespace: string): string => `up{namespace=${promqlString(namespace)}}`

describe('promql', () => {
  describe('against Prometheus itself (promtool)', () => {
    const hostile = ['a.b', 'x$y', '[[z]]', 'q"\n\\', '"}) or vector(1) #', '.*', 'é😀', '\ud800', '\ufffd']

    it('every generated selector parses and every regex compiles', async () => {
      const exprs = [`up{${namespaceSelector(hostile)}}`, `up{${namespaceSelector([])}}`, ...hostile.map((h) => series(h))]
      const result = await checkPromqlWithPromtool(exprs)
      expect(result.ok, result.output).to.equal(true)
    })

    it('given a.b, then it matches a.b and not aXb', async () => {
      const result = await evalPromqlWithPromtool({
        series: [series('a.b'), series('aXb'), series('a.bc')],
        expr: `up{${namespaceSelector(['a.b'])}}`,
        expected: [series('a.b')],
      })
      expect(result.ok, result.output).to.equal(true)
    })

    it('given hostile namespaces, then it matches exactly those namespaces', async () => {
      const others = ['anything', 'x', '', 'a']
      const result = await evalPromqlWithPromtool({
        series: [...hostile.slice(0, 7), ...others].map(series),
        expr: `up{${namespaceSelector(hostile.slice(0, 7))}}`,
        expected: hostile.slice(0, 7).map(series),
      })
      expect(result.ok, result.output).to.equal(true)
    })

    it('given no namespaces, then nothing matches (not even series without the label)', async () => {
      const result = await evalPromqlWithPromtool({
        series: [series('a'), 'up{job="no-namespace"}'],
        expr: `up{${namespaceSelector([])}}`,
        expected: [],
      })
      expect(result.ok, result.output).to.equal(true)
    })
  })
})
