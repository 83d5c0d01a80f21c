import { expect } from 'chai'
import { request } from 'node:http'
import { Registry, Counter } from 'prom-client'
import { readinessOf, startHttpServer, type HttpServer, type Readiness } from '../../../src/runtime/http-server.js'

interface Reply {
  readonly status: number
  readonly headers: Record<string, string | string[] | undefined>
  readonly body: string
}

/** One request without keep-alive surprises; resolves with the whole answer. */
const call = (url: string, method = 'GET'): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })

describe('runtime/http-server', function () {
  this.timeout(10_000)
  const registry = new Registry()
  new Counter({ name: 'test_things_total', help: 'things', registers: [registry] }).inc(3)
  let ready: () => Promise<Readiness> = () => Promise.resolve({ ready: true, checks: { kafka: true, redis: true } })
  let server: HttpServer

  before(async () => {
    server = await startHttpServer({ port: 0, host: '127.0.0.1', registry, ready: () => ready(), checkTimeoutMs: 200 })
  })
  after(async () => {
    await server?.stop()
  })

  it('listens on the port it reports', () => {
    expect(server.port).to.be.greaterThan(0)
    expect(server.url).to.equal(`http://127.0.0.1:${server.port}`)
  })

  it('/livez answers 200 without consulting readiness', async () => {
    let consulted = 0
    ready = () => {
      consulted += 1
      return Promise.reject(new Error('redis down'))
    }
    const reply = await call(`${server.url}/livez`)
    expect(reply.status).to.equal(200)
    expect(reply.body).to.equal('ok\n')
    expect(consulted).to.equal(0)
  })

  it('/readyz answers 200 with the checks when ready', async () => {
    ready = () => Promise.resolve({ ready: true, checks: { kafka: true, redis: true } })
    const reply = await call(`${server.url}/readyz`)
    expect(reply.status).to.equal(200)
    expect(reply.headers['content-type']).to.match(/^application\/json/)
    expect(JSON.parse(reply.body)).to.deep.equal({ ready: true, checks: { kafka: true, redis: true } })
  })

  it('/readyz answers 503 with the checks when not ready', async () => {
    ready = () => Promise.resolve({ ready: false, checks: { kafka: false, redis: true } })
    const reply = await call(`${server.url}/readyz?verbose`)
    expect(reply.status).to.equal(503)
    expect(JSON.parse(reply.body)).to.deep.equal({ ready: false, checks: { kafka: false, redis: true } })
  })

  it('/readyz turns a rejecting, throwing or hanging readiness into 503, never an error', async () => {
    ready = () => Promise.reject(new Error('redis down'))
    let reply = await call(`${server.url}/readyz`)
    expect(reply.status).to.equal(503)
    expect(JSON.parse(reply.body)).to.deep.include({ ready: false, error: 'redis down' })

    ready = () => {
      throw new Error('sync throw')
    }
    reply = await call(`${server.url}/readyz`)
    expect(reply.status).to.equal(503)

    ready = () => new Promise(() => undefined)
    const started = Date.now()
    reply = await call(`${server.url}/readyz`)
    expect(reply.status).to.equal(503)
    expect(Date.now() - started).to.be.lessThan(2000)
    expect(JSON.parse(reply.body))
      .to.have.property('error')
      .that.matches(/within 200 ms/)
  })

  it('/metrics serves the registry in its content type', async () => {
    const reply = await call(`${server.url}/metrics`)
    expect(reply.status).to.equal(200)
    expect(reply.headers['content-type']).to.equal(registry.contentType)
    expect(reply.body).to.match(/^test_things_total 3$/m)
  })

  it('answers HEAD without a body, 405 for other methods, 404 for other paths', async () => {
    const head = await call(`${server.url}/livez`, 'HEAD')
    expect(head.status).to.equal(200)
    expect(head.body).to.equal('')
    const post = await call(`${server.url}/metrics`, 'POST')
    expect(post.status).to.equal(405)
    expect(post.headers['allow']).to.equal('GET, HEAD')
    for (const path of ['/', '/healthz', '/metrics/x', '/livez/']) expect((await call(`${server.url}${path}`)).status, path).to.equal(404)
  })

  it('answers 500 (and keeps serving) when a metrics collector fails', async () => {
    const broken = new Registry()
    new Counter({
      name: 'broken_total',
      help: 'x',
      registers: [broken],
      collect: () => {
        throw new Error('collector failed')
      },
    })
    const other = await startHttpServer({ port: 0, host: '127.0.0.1', registry: broken, ready: () => Promise.resolve({ ready: true, checks: {} }) })
    try {
      expect((await call(`${other.url}/metrics`)).status).to.equal(500)
      expect((await call(`${other.url}/livez`)).status).to.equal(200)
    } finally {
      await other.stop()
    }
  })

  it('rejects when the port is taken, and stop() is idempotent even with keep-alive clients', async () => {
    let error: unknown
    try {
      await startHttpServer({ port: server.port, host: '127.0.0.1', registry, ready })
    } catch (e) {
      error = e
    }
    expect(error).to.be.instanceOf(Error).with.property('code', 'EADDRINUSE')

    const other = await startHttpServer({ port: 0, host: '127.0.0.1', registry, ready })
    const res = await fetch(`${other.url}/livez`, { keepalive: true })
    expect(res.status).to.equal(200)
    await res.text()
    await Promise.all([other.stop(), other.stop()])
    let refused: unknown
    try {
      await call(`${other.url}/livez`)
    } catch (e) {
      refused = e
    }
    expect(refused).to.have.property('code', 'ECONNREFUSED')
  })

  describe('readinessOf', () => {
    it('is ready only when every check is true', async () => {
      expect(await readinessOf({ a: () => Promise.resolve(true), b: () => Promise.resolve(true) })).to.deep.equal({ ready: true, checks: { a: true, b: true } })
      expect(await readinessOf({ a: () => Promise.resolve(true), b: () => Promise.resolve(false) })).to.deep.equal({
        ready: false,
        checks: { a: true, b: false },
      })
      expect((await readinessOf({})).ready).to.equal(false)
    })

    it('counts a rejecting, throwing or slow check as false, and runs checks in parallel', async () => {
      const started = Date.now()
      const result = await readinessOf(
        {
          rejects: () => Promise.reject(new Error('no')),
          throws: () => {
            throw new Error('no')
          },
          hangs: () => new Promise<boolean>(() => undefined),
          slowA: () => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 300)),
          slowB: () => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 300)),
          fine: () => Promise.resolve(true),
        },
        100,
      )
      expect(result).to.deep.equal({ ready: false, checks: { rejects: false, throws: false, hangs: false, slowA: false, slowB: false, fine: true } })
      expect(Date.now() - started).to.be.lessThan(250)
    })
  })
})
