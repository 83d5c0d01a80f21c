import { expect } from 'chai'
import fc from 'fast-check'
import { isLeft, type Either } from 'fp-ts/lib/Either.js'
import { loadConfig } from '../../../src/config/load-config.js'
import { loadReconcileOpsConfig, loadRedisOpsConfig } from '../../../src/config/ops-config.js'
import { isSecretVariable, maskUserinfo } from '../../../src/config/shown-value.js'

const SECRET = 'hunter2-Sup3r'

const minimal = {
  KAFKA_BROKERS: 'kafka-0:9092',
  SECRET_NAMESPACE: 'monitoring',
  SECRET_NAME: 'scrape',
  GRAFANA_URL: 'http://grafana:3000',
  GRAFANA_TOKEN: 'glsa_token',
}
const { GRAFANA_TOKEN: _token, ...withoutToken } = minimal

/** Each secret-bearing variable with a value that is rejected AND carries the credential. */
const cases: ReadonlyArray<readonly [string, Record<string, string>]> = [
  ['GRAFANA_TOKEN', { ...minimal, GRAFANA_TOKEN: `${SECRET}\u0001` }],
  ['GRAFANA_PASSWORD', { ...withoutToken, GRAFANA_USER: 'admin', GRAFANA_PASSWORD: `${SECRET}\u0001` }],
  ['KAFKA_SASL_PASSWORD', { ...minimal, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: `${SECRET}\u007f` }],
  ['REDIS_URL', { ...minimal, REDIS_URL: `http://user:${SECRET}@redis:6379` }],
  ['REDIS_URL', { ...minimal, REDIS_URL: `redis//:${SECRET}@redis:6379` }],
  ['REDIS_URL', { ...minimal, REDIS_URL: `redis://:${SECRET}@red is:6379` }],
  ['REDIS_URL', { ...minimal, REDIS_URL: `redis://u:${SECRET}@x@y:port` }],
  ['GRAFANA_URL', { ...minimal, GRAFANA_URL: `http://admin:${SECRET}@grafana:3000` }],
  ['GRAFANA_PUBLIC_URL', { ...minimal, GRAFANA_PUBLIC_URL: `https://admin:${SECRET}@grafana.example` }],
  ['KAFKA_BROKERS', { ...minimal, KAFKA_BROKERS: `user:${SECRET}@kafka-0:9092` }],
  ['REDIS_CLUSTER_NODES', { ...minimal, REDIS_CLUSTER_NODES: `10.0.0.1:7000,u:${SECRET}@10.0.0.2:7001` }],
]

const problemsOf = (loaded: Either<readonly string[], unknown>): readonly string[] => (isLeft(loaded) ? loaded.left : [])

describe('config: no secret in an error', () => {
  for (const [name, env] of cases) {
    it(`${name}: the rejected value is reported by name, its credential never shown (${env[name]?.slice(0, 12) ?? ''}…)`, () => {
      for (const load of [loadConfig, loadReconcileOpsConfig, loadRedisOpsConfig]) {
        const problems = problemsOf(load(env))
        const relevant =
          load === loadRedisOpsConfig
            ? ['REDIS_URL', 'REDIS_CLUSTER_NODES'].includes(name)
            : load === loadConfig || !(name.startsWith('KAFKA') || name === 'GRAFANA_PUBLIC_URL')
        if (!relevant) continue
        expect(
          problems.some((p) => p.startsWith(`${name}: expected`)),
          `${load.name}: ${problems.join(' | ')}`,
        ).to.be.true
        expect(problems.join('\n'), load.name).not.to.include(SECRET)
        expect(problems.join('\n'), load.name).not.to.include('hunter2')
      }
    })
  }

  it('a URL value is still readable without its credential', () => {
    const problems = problemsOf(loadConfig({ ...minimal, REDIS_URL: `http://user:${SECRET}@redis:6379` }))
    expect(problems).to.deep.equal(['REDIS_URL: expected redis:// or rediss:// URL, got "http://***@redis:6379"'])
  })

  it('a credential variable shows no value at all', () => {
    expect(problemsOf(loadConfig({ ...minimal, GRAFANA_TOKEN: 'a\u0001b' }))).to.deep.equal(['GRAFANA_TOKEN: expected non-empty text'])
  })

  it('variables named like credentials are secrets by default', () => {
    for (const n of ['GRAFANA_TOKEN', 'GRAFANA_PASSWORD', 'KAFKA_SASL_PASSWORD', 'SOME_NEW_API_KEY', 'X_CREDENTIALS']) expect(isSecretVariable(n), n).to.be.true
    for (const n of ['SECRET_NAME', 'SECRET_KEY', 'SECRET_NAMESPACE', 'GRAFANA_USER', 'REDIS_URL']) expect(isSecretVariable(n), n).to.be.false
  })

  it('masking leaves no character of any userinfo, whatever it holds', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 6 }).filter((s) => !s.includes('@')),
        fc.constantFrom('redis://', 'http://', '', 'x//'),
        (password, scheme) => {
          const masked = maskUserinfo(`${scheme}u:${password}@host:1`)
          expect(masked.endsWith('@host:1')).to.be.true
          expect(masked).not.to.include(`u:${password}`)
        },
      ),
    )
  })
})
