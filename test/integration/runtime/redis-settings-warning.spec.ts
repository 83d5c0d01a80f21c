import { expect } from 'chai'
import { Redis } from 'ioredis'
import { startRedisServer, type RedisServerHandle } from '../../../dev/redis-server.js'
import { warnOnUnsafeRedisSettings } from '../../../src/runtime/rooms/redis-settings-warning.js'
import { useHarness } from '../../support/harness-hooks.js'

interface Line {
  readonly level: 'warn' | 'info'
  readonly fields: Record<string, unknown>
  readonly message: string
}
const capture = () => {
  const lines: Line[] = []
  const logger = {
    warn: (fields: Record<string, unknown>, message: string) => void lines.push({ level: 'warn', fields, message }),
    info: (fields: Record<string, unknown>, message: string) => void lines.push({ level: 'info', fields, message }),
  }
  return { lines, logger }
}

describe('start-up check of the Redis settings (real redis-server)', function () {
  this.timeout(30_000)
  const servers: RedisServerHandle[] = []
  const clients: Redis[] = []
  const client = (url: string, options: { username?: string; password?: string } = {}) => {
    const redis = new Redis(url, { maxRetriesPerRequest: 1, ...options })
    clients.push(redis)
    return redis
  }
  after(async () => {
    for (const c of clients) c.disconnect()
    for (const s of servers) await s.stop()
  })

  it('given a server without AOF and with an eviction policy, then ONE warning naming each unsafe setting', async () => {
    const server = await startRedisServer({ appendOnly: false })
    servers.push(server)
    const redis = client(server.url)
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lru')
    const { lines, logger } = capture()
    await warnOnUnsafeRedisSettings(redis, logger)
    expect(lines.map((l) => l.level)).to.deep.equal(['warn'])
    const [line] = lines
    expect(line?.message).to.include('appendonly no (want yes)').and.to.include('maxmemory-policy allkeys-lru (want noeviction)')
    expect((line?.fields['unsafe'] as Array<{ setting: string }>).map((u) => u.setting)).to.deep.equal(['appendonly', 'maxmemory-policy'])
    expect(line?.fields['redisVersion']).to.match(/^\d+\.\d+/)
  })

  it('given appendonly yes, appendfsync always and noeviction, then no warning', async () => {
    const server = await startRedisServer({ appendOnly: true })
    servers.push(server)
    const { lines, logger } = capture()
    await warnOnUnsafeRedisSettings(client(server.url), logger)
    expect(lines).to.deep.equal([])
  })

  it('given appendfsync everysec, then it is named', async () => {
    const server = await startRedisServer({ appendOnly: true })
    servers.push(server)
    const redis = client(server.url)
    await redis.config('SET', 'appendfsync', 'everysec')
    const { lines, logger } = capture()
    await warnOnUnsafeRedisSettings(redis, logger)
    expect(lines.map((l) => l.message)).to.have.length(1)
    expect(lines[0]?.message).to.include('appendfsync everysec (want always')
  })

  it('given a user that may not run CONFIG, then one info line and the start goes on', async () => {
    const server = await startRedisServer({ appendOnly: false })
    servers.push(server)
    await client(server.url).call('ACL', 'SETUSER', 'telemetry', 'on', '>pw', '~*', '+@all', '-config')
    const { lines, logger } = capture()
    await warnOnUnsafeRedisSettings(client(server.url, { username: 'telemetry', password: 'pw' }), logger)
    expect(lines.map((l) => l.level)).to.deep.equal(['info'])
    expect(String(lines[0]?.fields['reason'])).to.match(/NOPERM/i)
  })
})

describe('the running service at start-up, on the test Redis (started without AOF)', function () {
  this.timeout(60_000)
  const ctx = useHarness()

  it('logs ONE warning naming appendonly, and still runs', async () => {
    const warnings = ctx.harness.logs.filter((line) => line.includes('Redis settings unsafe'))
    expect(warnings).to.have.length(1)
    expect(warnings[0]).to.include('appendonly no (want yes)')
    expect(await ctx.harness.service?.ready()).to.equal(true)
  })
})
