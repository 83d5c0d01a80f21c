import { expect } from 'chai'
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { decodeWith, formatFailure, preview } from '../../../src/codecs/decode.js'
import { Port } from '../../../src/codecs/primitives.js'

const reasonsOf = <A, O>(codec: t.Type<A, O, unknown>, input: unknown): readonly string[] => {
  const r = decodeWith(codec)(input)
  if (isRight(r)) throw new Error('expected a failure')
  return r.left.reasons
}

describe('codecs/decode', () => {
  const Nested = t.type({ data: t.type({ prometheus: t.type({ port: Port }) }) })

  it('reports a readable dotted path, the expected type and the value', () => {
    expect(reasonsOf(Nested, { data: { prometheus: { port: 70000 } } })).to.deep.equal(['data.prometheus.port: expected Port (integer 1-65535), got 70000'])
  })

  it('skips union and intersection member indexes in the path', () => {
    const codec = t.type({ a: t.intersection([t.type({ b: t.string }), t.partial({ c: t.union([t.number, t.null]) })]) })
    const reasons = reasonsOf(codec, { a: { b: 1, c: 'x' } })
    expect(reasons).to.include('a.b: expected string, got 1')
    expect(reasons).to.include('a.c: expected number, got "x"')
    expect(reasons).to.include('a.c: expected null, got "x"')
  })

  it('names the root and array indexes', () => {
    expect(reasonsOf(t.string, 5)).to.deep.equal(['(root): expected string, got 5'])
    expect(reasonsOf(t.array(t.string), ['a', 2])).to.deep.equal(['1: expected string, got 2'])
  })

  it('says "undefined" for a missing field', () => {
    expect(reasonsOf(t.type({ id: t.string }), {})).to.deep.equal(['id: expected string, got undefined'])
  })

  it('uses a custom message when the codec gives one', () => {
    const codec = new t.Type<string, string, unknown>(
      'X',
      (_u): _u is string => false,
      (u, c) => t.failure(u, c, 'required, not set'),
      String,
    )
    expect(reasonsOf(t.type({ X: codec }), { X: 1 })).to.deep.equal(['X: required, not set'])
  })

  it('truncates previews to 80 characters, also for huge and deeply nested values', () => {
    expect(preview('x'.repeat(10_000))).to.have.length(80)
    let deep: unknown = 1
    for (let i = 0; i < 10_000; i++) deep = { a: deep }
    expect(preview(deep)).to.equal('{"a":{"a":{"a":{…}}}}')
    expect(preview(Array.from({ length: 100 }, (_, i) => i))).to.equal('[0,1,2,3,4,5,6,7,…]')
    expect(reasonsOf(t.string, { big: 'y'.repeat(1_000_000) })[0]!.length).to.be.below(120)
  })

  it('joins reasons with "; " and never throws, even when a codec does', () => {
    expect(formatFailure({ reasons: ['a: x', 'b: y'] })).to.equal('a: x; b: y')
    const throwing = new t.Type<string, string, unknown>(
      'Boom',
      (_u): _u is string => false,
      () => {
        throw new Error('bug')
      },
      String,
    )
    const r = decodeWith(throwing)('x')
    expect(isLeft(r) && r.left.reasons[0]).to.match(/could not be decoded as Boom/)
  })
})
