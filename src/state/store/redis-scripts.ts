/**
 * Registers the Lua scripts on an ioredis client (ioredis then uses EVALSHA and falls back to
 * EVAL on NOSCRIPT, also inside pipelines) and calls them with typed arguments.
 */
import type { ChainableCommander, Cluster, Redis } from 'ioredis'
import { SCRIPTS, type ScriptName } from './lua-scripts.js'

export type RedisClient = Redis | Cluster

type ScriptFn = (...args: Array<string | number>) => Promise<unknown>

const registered = new WeakSet<object>()

export const registerScripts = (redis: RedisClient): void => {
  if (registered.has(redis)) return
  for (const [name, script] of Object.entries(SCRIPTS)) {
    redis.defineCommand(name, { numberOfKeys: script.numberOfKeys, lua: script.lua })
  }
  registered.add(redis)
}

const scriptOf = (target: RedisClient | ChainableCommander, name: ScriptName): ScriptFn => {
  const fn = (target as unknown as Record<string, unknown>)[name]
  if (typeof fn !== 'function') throw new Error(`Redis script ${name} is not registered on this client`)
  return (fn as ScriptFn).bind(target)
}

/** Calls a script directly (awaits the reply). */
export const callScript = (redis: RedisClient, name: ScriptName, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> =>
  scriptOf(redis, name)(...keys, ...args)

/** Queues a script call on a pipeline (the reply comes with `exec()`). */
export const queueScript = (pipeline: ChainableCommander, name: ScriptName, keys: readonly string[], args: ReadonlyArray<string | number>): void => {
  void scriptOf(pipeline, name)(...keys, ...args)
}
