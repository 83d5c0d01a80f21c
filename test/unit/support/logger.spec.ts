import { expect } from 'chai'
import { Writable } from 'node:stream'
import { createLogger } from '../../../src/support/logger.js'
import { redactConfig, loadConfig } from '../../../src/config/load-config.js'
import { isRight } from 'fp-ts/lib/Either.js'

const capture = () => {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'))
      done()
    },
  })
  return { lines, stream }
}

describe('support/logger', () => {
  it('writes one JSON object per line at the configured level', () => {
    const { lines, stream } = capture()
    const logger = createLogger('warn', stream)
    logger.info('hidden')
    logger.warn({ serviceId: 's1' }, 'shown')
    expect(lines).to.have.length(1)
    expect(JSON.parse(lines[0] ?? '')).to.include({ msg: 'shown', serviceId: 's1', level: 40 })
  })

  it('never prints a Grafana token, a password or an Authorization header, wherever they sit', () => {
    const { lines, stream } = capture()
    const logger = createLogger('info', stream)
    const secret = 'glsa_super-secret-token'
    logger.info(
      {
        token: secret,
        password: secret,
        config: { grafana: { auth: { token: secret } }, kafka: { sasl: { password: secret } } },
        headers: { authorization: `Bearer ${secret}` },
      },
      'with secrets',
    )
    logger.info({ request: { headers: { authorization: `Bearer ${secret}` } } }, 'nested header')
    expect(lines.join('\n')).to.not.include(secret)
  })

  it('logs the start-up configuration without credentials', () => {
    const { lines, stream } = capture()
    const secret = 'glsa_start-up-token'
    const loaded = loadConfig({
      KAFKA_BROKERS: 'k:9092',
      GRAFANA_URL: 'http://g:3000',
      GRAFANA_TOKEN: secret,
      SECRET_NAMESPACE: 'monitoring',
      SECRET_NAME: 's',
      REDIS_URL: 'redis://:redis-pass@r:6379',
    })
    expect(isRight(loaded)).to.equal(true)
    if (!isRight(loaded)) return
    createLogger('info', stream).info({ config: redactConfig(loaded.right) }, 'starting')
    expect(lines.join('\n')).to.not.include(secret).and.not.include('redis-pass')
  })
})
