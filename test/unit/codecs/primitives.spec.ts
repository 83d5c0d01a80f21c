import { expect } from 'chai'
import fc from 'fast-check'
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { decodeWith } from '../../../src/codecs/decode.js'
import { hostPort, isIPv6, Namespace, Namespaces, NonEmptyString, Port, PrometheusHost, Rfc3339, ServiceId } from '../../../src/codecs/primitives.js'

const accepts = <A, O>(codec: t.Type<A, O, unknown>, values: readonly unknown[]): void => {
  for (const v of values) expect(isRight(codec.decode(v)), `${codec.name} should accept ${JSON.stringify(v)}`).to.be.true
}
const rejects = <A, O>(codec: t.Type<A, O, unknown>, values: readonly unknown[]): void => {
  for (const v of values) expect(isLeft(codec.decode(v)), `${codec.name} should reject ${JSON.stringify(v)}`).to.be.true
}

const roundTrips = <A>(codec: t.Type<A, string, unknown>, s: string): void => {
  const r = codec.decode(s)
  if (isRight(r)) expect(codec.is(r.right) && isRight(codec.decode(codec.encode(r.right)))).to.be.true
}

describe('codecs/primitives', () => {
  it('ServiceId: UUIDs and job-name-safe ids pass; quotes, spaces, newlines, braces do not', () => {
    accepts(ServiceId, ['ecc4345a-2097-4c3b-a40c-a9e791cdccbb', 'a', 'svc_1.v2-x', 'A'.repeat(128)])
    rejects(ServiceId, ['', 'a"b', 'a b', 'a\nb', '{a}', 'a}', '-a', '.a', '_a', 'A'.repeat(129), 'ü', 'a|b', 'a\\b', 5, null])
  })

  it('Namespace: the spec samples pass; every metacharacter is rejected', () => {
    accepts(Namespace, ['NAMESPACE_1', 'kube-system', 'a.b', '1', 'n'.repeat(253)])
    rejects(Namespace, ['', 'bad|ns', 'a"b', 'a}', 'a{', 'a b', 'a\tb', 'a\\b', "a'b", 'a*', 'a$', 'a(b)', 'a=~b', 'n'.repeat(254), 1])
  })

  it('Namespaces: non-empty, at most 100, duplicates removed keeping first order', () => {
    const ok = decodeWith(Namespaces)(['b', 'a', 'b', 'c', 'a'])
    expect(ok).to.deep.equal({ _tag: 'Right', right: ['b', 'a', 'c'] })
    rejects(Namespaces, [[], 'ns', Array.from({ length: 101 }, (_, i) => `n${i}`), ['ok', 'bad|ns']])
    accepts(Namespaces, [Array.from({ length: 100 }, (_, i) => `n${i}`)])
    expect(decodeWith(Namespaces)(['ok', 'bad|ns'])).to.deep.equal({
      _tag: 'Left',
      left: { reasons: ['1: expected Namespace (1-253 of A-Z a-z 0-9 _ . -), got "bad|ns"'] },
    })
  })

  it('PrometheusHost: hostnames, IPv4, IPv6 (brackets stripped); no scheme, path or port', () => {
    accepts(PrometheusHost, [
      '10.10.10.4',
      'prometheus',
      'prom.monitoring.svc.cluster.local',
      'a-b.c',
      '::1',
      'fe80::1',
      '2001:db8::8a2e:370:7334',
      '::ffff:10.0.0.1',
      '1:2:3:4:5:6:7:8',
    ])
    expect(PrometheusHost.decode('[2001:db8::1]')).to.deep.equal({ _tag: 'Right', right: '2001:db8::1' })
    rejects(PrometheusHost, [
      '',
      'http://x',
      'x/metrics',
      'x:9090',
      '10.10.10.4:9090',
      '256.1.1.1',
      '1.2.3',
      '1.2.3.4.5',
      '01.2.3.4',
      '-a',
      'a-',
      'a..b',
      'a_b',
      `${'a'.repeat(64)}.b`,
      `${'a.'.repeat(127)}a`,
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '[x]',
      '[10.0.0.1]',
      'a b',
      1234,
    ])
  })

  it('hostPort brackets IPv6 only', () => {
    expect(hostPort('10.0.0.1', 9090)).to.equal('10.0.0.1:9090')
    expect(hostPort('::1', 9090)).to.equal('[::1]:9090')
    expect(isIPv6('10.0.0.1')).to.be.false
  })

  it('Port: integers 1-65535 only (not strings)', () => {
    accepts(Port, [1, 80, 30180, 65535])
    rejects(Port, [0, -1, 65536, 70000, 80.5, '80', NaN, Infinity, null])
  })

  it('NonEmptyString and Rfc3339 (nanoseconds, offsets, Z)', () => {
    accepts(NonEmptyString, ['x'])
    rejects(NonEmptyString, ['', 1])
    accepts(Rfc3339, ['2024-10-30T11:28:34.161962096+02:00', '2024-11-11T14:31:44Z', '2024-02-29T00:00:00.1-05:30', '2016-12-31T23:59:60Z'])
    rejects(Rfc3339, [
      '2024-10-30',
      '2024-10-30 11:28:34Z',
      '2023-02-29T00:00:00Z',
      '2024-13-01T00:00:00Z',
      '2024-01-01T24:00:00Z',
      '2024-01-01T00:00:00',
      '2024-01-01T00:00:00.1234567890Z',
      'now',
      1730280514,
    ])
  })

  it('every accepted value round-trips through is/encode (so stored events re-decode)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        roundTrips(ServiceId, s)
        roundTrips(Namespace, s)
        roundTrips(PrometheusHost, s)
        roundTrips(Rfc3339, s)
      }),
    )
  })
})
