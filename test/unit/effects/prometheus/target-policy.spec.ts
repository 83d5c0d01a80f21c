import { expect } from 'chai'
import { isLeft } from 'fp-ts/lib/Either.js'
import { TargetAllowList } from '../../../../src/config/target-allow.js'
import { readHost, targetRefusal } from '../../../../src/effects/prometheus/target-policy.js'

const allow = (s: string) => {
  const decoded = TargetAllowList.decode(s)
  if (isLeft(decoded)) throw new Error(s)
  return decoded.right
}

describe('target policy', () => {
  describe('default (PROMETHEUS_TARGET_ALLOW unset)', () => {
    const refused = [
      '127.0.0.1',
      '127.1',
      '0x7f.1',
      '2130706433',
      '0177.0.0.1',
      '::1',
      '[::1]',
      '0:0:0:0:0:0:0:1',
      '169.254.169.254',
      '169.254.169.254.',
      '0xa9fea9fe',
      '::ffff:169.254.169.254',
      '[::ffff:a9fe:a9fe]',
      '::ffff:127.0.0.1',
      '64:ff9b::a9fe:a9fe',
      'fe80::1',
      'fe80::1%eth0',
      'FEBF::1',
      '0.0.0.0',
      '0',
      '::',
      'localhost',
      'LOCALHOST.',
      'prom.localhost',
      'metadata.google.internal',
    ]
    for (const host of refused) {
      it(`given ${host}, then FAILURE naming the target and the default policy`, () => {
        const reason = targetRefusal(undefined, host, `${host}:9090`)
        expect(reason).to.include(`${host}:9090`).and.to.include('PROMETHEUS_TARGET_ALLOW is unset')
      })
    }
    for (const host of ['10.10.10.4', 'fd00::10', '192.168.1.1', 'prom.example.org', '169.255.0.1', 'fec0::1', '::ffff:10.0.0.1']) {
      it(`given ${host}, then allowed`, () => expect(targetRefusal(undefined, host, `${host}:9090`)).to.equal(undefined))
    }
  })

  describe('an explicit allow list', () => {
    const rules = allow('10.0.0.0/8,fd00::/8,.example.org')
    it('allows what a rule covers, IPv4-mapped IPv6 and IP-literal hostnames read as the address', () => {
      for (const host of ['10.1.2.3', '::ffff:10.1.2.3', '012.1.2.3', 'fd00::1', 'example.org', 'prom.EXAMPLE.org']) {
        expect(targetRefusal(rules, host, host), host).to.equal(undefined)
      }
    })
    it('refuses everything else, naming the list', () => {
      for (const host of ['11.0.0.1', '0xb000001', 'fe80::1', 'badexample.org', 'example.org.evil.com', '169.254.169.254']) {
        expect(targetRefusal(rules, host, `${host}:1`), host).to.include('not in PROMETHEUS_TARGET_ALLOW (10.0.0.0/8, fd00::/8, .example.org)')
      }
    })
  })

  it('reads hosts as the scraping side would', () => {
    expect(readHost('0x7f.1')).to.deep.equal({ kind: 'ip', ip: { family: 4, bytes: [127, 0, 0, 1] } })
    expect(readHost('Prom.Example.org.')).to.deep.equal({ kind: 'name', name: 'prom.example.org' })
  })
})
