import { expect } from 'chai'
import fc from 'fast-check'
import { escapeRegex, logqlString, namespaceRegex, namespaceSelector, promqlString } from '../../../../src/effects/prometheus/promql.js'

describe('promql', () => {
  describe('escapeRegex', () => {
    it('escapes every RE2 metacharacter with one backslash', () => {
      expect(escapeRegex('\\.+*?()|[]{}^$')).to.equal('\\\\\\.\\+\\*\\?\\(\\)\\|\\[\\]\\{\\}\\^\\$')
    })
    it('leaves the characters a valid namespace is made of alone', () => {
      expect(escapeRegex('NAMESPACE_1-a')).to.equal('NAMESPACE_1-a')
    })
  })

  describe('namespaceRegex', () => {
    it('given two namespaces, then it alternates them', () => {
      expect(namespaceRegex(['NS_1', 'NS_2'])).to.equal('NS_1|NS_2')
    })
    it('given a dot, then the regex holds ONE backslash before it (a\\.b)', () => {
      expect(namespaceRegex(['a.b'])).to.equal('a\\.b')
    })
    it('given no namespaces, then a regex that matches nothing (not even "")', () => {
      expect(namespaceRegex([])).to.equal('[^\\s\\S]')
    })
  })

  describe('namespaceSelector', () => {
    it('given a dot, then the query text holds TWO backslashes (the regex inside a string literal)', () => {
      expect(namespaceSelector(['a.b'])).to.equal('namespace=~"a\\\\.b"')
      expect(namespaceSelector(['a.b'])).to.have.length('namespace=~"a\\\\.b"'.length)
    })
    it('given the spec sample, then the plain alternation', () => {
      expect(namespaceSelector(['NAMESPACE_1', 'NAMESPACE_2'])).to.equal('namespace=~"NAMESPACE_1|NAMESPACE_2"')
    })
  })

  describe('promqlString', () => {
    it('escapes quotes, backslashes and control characters', () => {
      expect(promqlString('a"b\\c\nd')).to.equal('"a\\"b\\\\c\\u000ad"')
    })
    it('hides $ and [ from Grafana template interpolation', () => {
      expect(promqlString('$__interval [[x]] ${y}')).to.equal('"\\x24__interval \\x5b\\x5bx]] \\x24{y}"')
    })
    it('writes non-ASCII as \\u / \\U escapes and lone surrogates as U+FFFD', () => {
      expect(promqlString('é😀\ud800')).to.equal('"\\u00e9\\U0001f600\\ufffd"')
    })
    it('output is printable ASCII for any input', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary' }), (s) => /^"[\x20-\x7e]*"$/.test(promqlString(s))),
        { numRuns: 300 },
      )
    })
    it('logqlString quotes the same way (both unquote with Go rules)', () => {
      expect(logqlString('a"$')).to.equal(promqlString('a"$'))
    })
  })
})
