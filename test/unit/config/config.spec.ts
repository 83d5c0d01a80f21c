import { expect } from 'chai'
import fc from 'fast-check'
import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import {
  BooleanFromString,
  BrokerList,
  Config,
  HostPortList,
  HttpUrl,
  IntFromString,
  KeyPrefix,
  KubeObjectName,
  RatioFromString,
  RedisUrl,
  TopicName,
} from '../../../src/config/config.js'

describe('config/config', () => {
  it('integers: plain decimal digits within the range only', () => {
    const int = IntFromString(1, 100)
    expect(int.decode('42')).to.deep.equal({ _tag: 'Right', right: 42 })
    for (const s of ['0', '101', '-1', '+1', '1.0', '1e2', '0x10', ' ', '', 'NaN', '99999999999999999999']) expect(isLeft(int.decode(s)), s).to.be.true
  })

  it('booleans and ratios', () => {
    for (const [s, b] of [
      ['true', true],
      ['FALSE', false],
      ['1', true],
      ['0', false],
      ['Yes', true],
      ['no', false],
    ] as const) {
      expect(BooleanFromString.decode(s)).to.deep.equal({ _tag: 'Right', right: b })
    }
    expect(isLeft(BooleanFromString.decode('on'))).to.be.true
    expect(RatioFromString.decode('.75')).to.deep.equal({ _tag: 'Right', right: 0.75 })
    expect(RatioFromString.decode('1')).to.deep.equal({ _tag: 'Right', right: 1 })
    for (const s of ['0', '1.01', '-0.5', 'abc', '1e-1']) expect(isLeft(RatioFromString.decode(s)), s).to.be.true
  })

  it('host:port lists (brokers stay strings, cluster nodes become objects)', () => {
    expect(BrokerList.decode('a:9092, 10.0.0.1:9093,[::1]:9094')).to.deep.equal({ _tag: 'Right', right: ['a:9092', '10.0.0.1:9093', '[::1]:9094'] })
    expect(
      HostPortList.encode([
        { host: '::1', port: 7000 },
        { host: 'r', port: 7001 },
      ]),
    ).to.equal('[::1]:7000,r:7001')
    for (const s of ['a', 'a:', ':9092', 'a:0', 'a:65536', 'a:9092,', '::1:9092', 'http://a:9092', 'a:9092/x'])
      expect(isLeft(BrokerList.decode(s)), s).to.be.true
  })

  it('URLs, names, topics and key prefixes', () => {
    expect(HttpUrl.decode('https://g.example.org/grafana/')).to.deep.equal({ _tag: 'Right', right: 'https://g.example.org/grafana' })
    for (const s of ['g:3000', 'ftp://g', 'http://u:p@g', 'http://g/?x=1', 'http://g/#x']) expect(isLeft(HttpUrl.decode(s)), s).to.be.true
    expect(isRight(RedisUrl.decode('rediss://:pw@r:6380/1'))).to.be.true
    expect(isLeft(RedisUrl.decode('127.0.0.1:6379'))).to.be.true
    expect(isRight(KubeObjectName.decode('prometheus-additional.scrape'))).to.be.true
    expect(isLeft(KubeObjectName.decode('Bad_Name'))).to.be.true
    expect(isLeft(TopicName.decode('..'))).to.be.true
    expect(isLeft(KeyPrefix.decode('tc {x}:'))).to.be.true
  })

  it('Config is a codec from the environment and back (round trip)', () => {
    const env = {
      KAFKA_BROKERS: 'k:9092',
      SECRET_NAMESPACE: 'monitoring',
      SECRET_NAME: 'extra',
      GRAFANA_URL: 'http://g:3000',
      GRAFANA_USER: 'admin',
      GRAFANA_PASSWORD: 'pw',
      REDIS_CLUSTER_NODES: 'r1:7000,r2:7000',
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65535 }), fc.constantFrom('trace', 'info', 'fatal'), fc.boolean(), (port, level, ssl) => {
        const first = Config.decode({ ...env, HTTP_PORT: String(port), LOG_LEVEL: level, KAFKA_SSL: String(ssl) })
        if (isLeft(first)) throw new Error('must decode')
        expect(Config.decode(Config.encode(first.right))).to.deep.equal(first)
      }),
      { numRuns: 50 },
    )
  })

  it('rejects something that is not an environment', () => {
    expect(isLeft(Config.decode(null))).to.be.true
    expect(isLeft(Config.decode('KAFKA_BROKERS=x'))).to.be.true
  })
})
