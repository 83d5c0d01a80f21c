import { expect } from 'chai'
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import { TargetAllowList, embeddedIpv4, inNetwork, parseIp } from '../../../src/config/target-allow.js'
import { configToEnv } from '../../../src/config/config.js'
import { loadConfig } from '../../../src/config/load-config.js'

const rules = (s: string) => {
  const decoded = TargetAllowList.decode(s)
  if (isLeft(decoded)) throw new Error(`did not decode: ${s}`)
  return decoded.right
}

describe('PROMETHEUS_TARGET_ALLOW codec', () => {
  it('given CIDRs, single IPs and DNS suffixes, then one rule each, encoded back as written', () => {
    const decoded = rules('10.0.0.0/8, fd00::/8,192.168.1.7, .example.org,Prom.Example.NET')
    expect(decoded.map((r) => r.kind)).to.deep.equal(['cidr', 'cidr', 'cidr', 'dns-suffix', 'dns-suffix'])
    expect(decoded.flatMap((r) => (r.kind === 'cidr' ? [String(r.prefix)] : [r.suffix]))).to.deep.equal(['8', '8', '32', 'example.org', 'prom.example.net'])
    expect(TargetAllowList.encode(decoded)).to.equal('10.0.0.0/8,fd00::/8,192.168.1.7,.example.org,Prom.Example.NET')
  })

  it('given a bad prefix, a bad entry, an all-numeric suffix or nothing, then Left', () => {
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/8/1', 'exa mple.org', 'http://x', '10.0', ' , ', '1.2.3.4/x']) {
      expect(isLeft(TargetAllowList.decode(bad)), bad).to.equal(true)
    }
    expect(isRight(TargetAllowList.decode('10.0.0.0/0'))).to.equal(true)
  })
})

describe('IP helpers', () => {
  it('parses IPv6 with an IPv4 tail and finds the IPv4 it reaches', () => {
    const mapped = parseIp('::ffff:169.254.169.254')
    expect(mapped?.bytes.slice(10)).to.deep.equal([0xff, 0xff, 169, 254, 169, 254])
    expect(mapped && embeddedIpv4(mapped)).to.deep.equal({ family: 4, bytes: [169, 254, 169, 254] })
    const nat64 = parseIp('64:ff9b::7f00:1')
    expect(nat64 && embeddedIpv4(nat64)?.bytes).to.deep.equal([127, 0, 0, 1])
    const loopback = parseIp('::1')
    expect(loopback && embeddedIpv4(loopback)).to.equal(undefined)
  })

  it('matches prefixes bit by bit, per family', () => {
    const net = parseIp('fe80::')
    const inside = parseIp('febf:ffff::1')
    const outside = parseIp('fec0::1')
    if (!net || !inside || !outside) throw new Error('parse')
    expect(inNetwork(inside, net, 10)).to.equal(true)
    expect(inNetwork(outside, net, 10)).to.equal(false)
    const v4 = parseIp('10.0.0.1')
    if (!v4) throw new Error('parse')
    expect(inNetwork(v4, net, 0)).to.equal(false)
  })
})

describe('PROMETHEUS_TARGET_ALLOW and LOKI_SERVICE_LABEL in the configuration', () => {
  const minimal = { KAFKA_BROKERS: 'k:9092', SECRET_NAMESPACE: 'monitoring', SECRET_NAME: 's', GRAFANA_URL: 'http://g:3000', GRAFANA_TOKEN: 't' }

  it('given both set, then decoded and round-tripped through the environment', () => {
    const loaded = loadConfig({ ...minimal, PROMETHEUS_TARGET_ALLOW: '10.0.0.0/8,.example.org', LOKI_SERVICE_LABEL: 'cluster' })
    if (isLeft(loaded)) throw new Error(loaded.left.join('; '))
    expect(loaded.right.targets.allow?.map((r) => r.text)).to.deep.equal(['10.0.0.0/8', '.example.org'])
    expect(loaded.right.grafana.lokiServiceLabel).to.equal('cluster')
    expect(configToEnv(loaded.right)).to.include({ PROMETHEUS_TARGET_ALLOW: '10.0.0.0/8,.example.org', LOKI_SERVICE_LABEL: 'cluster' })
  })

  it('given bad values, then one problem per variable, naming it', () => {
    const loaded = loadConfig({ ...minimal, PROMETHEUS_TARGET_ALLOW: '10.0.0.0/40', LOKI_SERVICE_LABEL: 'bad-label' })
    if (!isLeft(loaded)) throw new Error('expected problems')
    expect(loaded.left.map((p) => p.split(':')[0])).to.deep.equal(['LOKI_SERVICE_LABEL', 'PROMETHEUS_TARGET_ALLOW'])
  })
})
