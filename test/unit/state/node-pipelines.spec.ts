import { expect } from 'chai'
import type { ChainableCommander } from 'ioredis'
import { keySlot } from '../../../src/state/store/key-slot.js'
import { execPerNode, NotReplicatedError, type PipelinedCall } from '../../../src/state/store/node-pipelines.js'
import type { RedisClient } from '../../../src/state/store/redis-scripts.js'

type Sent = Array<readonly [string, ...unknown[]]>

/** A stand-in for an ioredis client: records every pipeline and answers ROLE and WAIT as told. */
const fakeRedis = (opts: { cluster: boolean; nodeOf?: (slot: number) => string; replicas?: number; acks?: number }) => {
  const pipelines: Sent[] = []
  const slots = Array.from({ length: 16384 }, (_, slot) => [opts.nodeOf?.(slot) ?? 'a'])
  const pipeline = () => {
    const sent: Sent = []
    pipelines.push(sent)
    const reply = ([name, first]: readonly [string, ...unknown[]]): [null, unknown] => {
      if (name === 'role') return [null, ['master', 0, Array.from({ length: opts.replicas ?? 0 }, () => ['127.0.0.1', '1', '0'])]]
      if (name === 'wait') return [null, opts.acks ?? 0]
      return [null, `${name} ${String(first)}`]
    }
    const p = {
      get: (key: string) => (sent.push(['get', key]), p),
      exists: (key: string) => (sent.push(['exists', key]), p),
      role: () => (sent.push(['role']), p),
      wait: (n: number, t: number) => (sent.push(['wait', n, t]), p),
      exec: () => Promise.resolve(sent.map(reply)),
    }
    return p
  }
  return { redis: { isCluster: opts.cluster, slots, pipeline } as unknown as RedisClient, pipelines }
}

const gets = (keys: readonly string[]): PipelinedCall[] => keys.map((key) => ({ key, queue: (p: ChainableCommander) => void p.get(key) }))
const acks = { replicas: 1, timeoutMs: 2000 }

describe('execPerNode', () => {
  it('sends everything in one pipeline on a single Redis, without ROLE or WAIT', async () => {
    const { redis, pipelines } = fakeRedis({ cluster: false })
    const replies = await execPerNode(redis, gets(['{a}x', '{b}y']), acks)
    expect(pipelines).to.deep.equal([
      [
        ['get', '{a}x'],
        ['get', '{b}y'],
      ],
    ])
    expect(replies).to.deep.equal([
      [null, 'get {a}x'],
      [null, 'get {b}y'],
    ])
  })

  it('splits a Cluster batch per serving node and keeps the replies in call order', async () => {
    const { redis, pipelines } = fakeRedis({ cluster: true, nodeOf: (slot) => (slot < 8192 ? 'low' : 'high') })
    const keys = ['{svc:1}:e', '{svc:2}:e', '{svc:3}:e', '{svc:4}:e']
    const low = keys.filter((k) => keySlot(k) < 8192)
    expect(low.length, 'the fixture keys land on both nodes').to.be.within(1, 3)
    const replies = await execPerNode(redis, gets(keys))
    expect(pipelines.map((sent) => sent.map(([, key]) => key)).sort()).to.deep.equal([low, keys.filter((k) => !low.includes(k))].sort())
    expect(replies).to.deep.equal(keys.map((key) => [null, `get ${key}`]))
  })

  it('on a Cluster, waits for a connected replica after the batch', async () => {
    const { redis, pipelines } = fakeRedis({ cluster: true, replicas: 1, acks: 1 })
    await execPerNode(redis, gets(['{a}x']), acks)
    expect(pipelines).to.deep.equal([
      [['get', '{a}x'], ['role']],
      [
        ['exists', '{a}x'],
        ['wait', 1, 2000],
      ],
    ])
  })

  it('fails the batch when the replica does not acknowledge in time', async () => {
    const { redis } = fakeRedis({ cluster: true, replicas: 1, acks: 0 })
    const failure = await execPerNode(redis, gets(['{a}x']), acks).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(failure).to.be.instanceOf(NotReplicatedError)
  })

  it('does not wait on a master that has no replica connected', async () => {
    const { redis, pipelines } = fakeRedis({ cluster: true, replicas: 0 })
    await execPerNode(redis, gets(['{a}x']), acks)
    expect(pipelines).to.deep.equal([[['get', '{a}x'], ['role']]])
  })
})
