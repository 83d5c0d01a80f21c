import { expect } from 'chai'
import { createServer } from 'node:net'
import { existsSync } from 'node:fs'
import { Redis } from 'ioredis'
import { startRedisServer, type RedisServerHandle } from '../../../dev/redis-server.js'
import { flushPrefix, testRedis } from '../../support/redis-helpers.js'

const client = (server: RedisServerHandle): Redis => new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => null })

/** true when nothing listens on the port any more (we can bind it ourselves) */
const portIsFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const probe = createServer()
    probe.once('error', () => resolve(false))
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(true)))
  })

describe('startRedisServer', () => {
  const started: RedisServerHandle[] = []
  const start = async (...args: Parameters<typeof startRedisServer>): Promise<RedisServerHandle> => {
    const server = await startRedisServer(...args)
    started.push(server)
    return server
  }
  after(async () => {
    await Promise.all(started.map((s) => s.stop()))
  })

  it('starts a real redis-server that answers SET/GET', async () => {
    const server = await start()
    expect(server.url).to.equal(`redis://127.0.0.1:${server.port}`)
    expect(server.pid).to.be.a('number')
    const redis = client(server)
    try {
      await redis.set('greeting', 'hello')
      expect(await redis.get('greeting')).to.equal('hello')
    } finally {
      redis.disconnect()
    }
  })

  it('keeps stream entries across kill -9 and restart with appendOnly', async () => {
    const server = await start({ appendOnly: true })
    const before = client(server)
    const ids: string[] = []
    try {
      for (let i = 0; i < 5; i++) ids.push((await before.xadd('events', '*', 'n', String(i))) ?? '')
    } finally {
      before.disconnect()
    }
    const oldPid = server.pid
    await server.kill9()
    expect(server.pid).to.equal(undefined)

    await server.restart()
    expect(server.pid).to.be.a('number').and.not.equal(oldPid)
    const after = client(server)
    try {
      const entries = await after.xrange('events', '-', '+')
      expect(entries.map(([id]) => id)).to.deep.equal(ids)
      expect(entries.map(([, fields]) => fields)).to.deep.equal([0, 1, 2, 3, 4].map((n) => ['n', String(n)]))
    } finally {
      after.disconnect()
    }
  })

  it('stop() frees the port and removes its temp dir', async () => {
    const server = await start()
    expect(await portIsFree(server.port)).to.equal(false)
    await server.stop()
    expect(server.pid).to.equal(undefined)
    expect(await portIsFree(server.port)).to.equal(true)
    expect(existsSync(server.dir)).to.equal(false)
  })

  it('fails with the log tail when the port is taken by a fixed-port start', async () => {
    const server = await start()
    const error = await startRedisServer({ port: server.port, startTimeoutMs: 3000 }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).to.be.instanceOf(Error)
    expect((error as Error).message).to.match(/already in use/i)
  })
})

describe('redis-helpers (shared server from the global fixture)', () => {
  it('isolates clients by key prefix and flushes only its own prefix', async () => {
    const a = testRedis()
    const b = testRedis()
    try {
      await a.set('k', 'a')
      await b.set('k', 'b')
      expect(await a.get('k')).to.equal('a')
      expect(await flushPrefix(a)).to.equal(1)
      expect(await a.get('k')).to.equal(null)
      expect(await b.get('k')).to.equal('b')
    } finally {
      await flushPrefix(b)
      a.disconnect()
      b.disconnect()
    }
  })
})
