/**
 * Lua scripts that make the event log's guarantees atomic. Each touches the keys of ONE service
 * (one hash tag, one Cluster slot) or one index key, never both.
 */

/**
 * Inbox: record a request once per CloudEvent id; a repeat is recorded as a redelivery instead.
 *
 * The event is appended FIRST and the id marked seen LAST. A Lua script is atomic against other
 * clients but not against its own errors: a failing command (an OOM refusal, a wrong-typed key, a
 * stream id out of step) aborts the script and leaves the writes before it in place. With the mark
 * first, such a failure would leave an id that is "seen" but has no event, and the redelivery
 * would be dropped as a duplicate: a request lost. In this order a failure writes nothing.
 */
export const ACCEPT_REQUEST = {
  numberOfKeys: 3, // events, version, seen
  lua: `
local seen = redis.call('HGET', KEYS[3], ARGV[1])
local v = tonumber(redis.call('GET', KEYS[2]) or '0') + 1
local json = ARGV[2]
local outcome = 'accepted'
if seen then
  json = ARGV[3]
  outcome = 'redelivered'
end
redis.call('XADD', KEYS[1], '0-' .. v, 'e', json)
redis.call('SET', KEYS[2], v)
if not seen then
  redis.call('HSET', KEYS[3], ARGV[1], v)
end
return {outcome, v}
`,
} as const

/**
 * Append with an expected version: if anyone appended since the caller read the stream, nothing
 * is written and the current version is returned, so the caller re-reads and re-decides. The
 * snapshot (the fold up to the new version) is stored in the same atomic step.
 */
export const APPEND_EXPECTED = {
  numberOfKeys: 3, // events, version, snapshot
  lua: `
local current = tonumber(redis.call('GET', KEYS[2]) or '0')
if current ~= tonumber(ARGV[1]) then
  return {0, current}
end
for i = 3, #ARGV do
  current = current + 1
  redis.call('XADD', KEYS[1], '0-' .. current, 'e', ARGV[i])
end
redis.call('SET', KEYS[2], current)
if ARGV[2] ~= '' then
  redis.call('SET', KEYS[3], ARGV[2])
end
return {1, current}
`,
} as const

/** Clear a service's "work pending" mark unless a newer request was accepted meanwhile. */
export const CLEAR_PENDING = {
  numberOfKeys: 1, // pending zset
  lua: `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) <= tonumber(ARGV[2]) then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return 1
end
return 0
`,
} as const

/** Extend or drop a lease only if we still hold it (a lease that expired may belong to another replica). */
export const RENEW_LEASE = {
  numberOfKeys: 1,
  lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`,
} as const

export const RELEASE_LEASE = {
  numberOfKeys: 1,
  lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`,
} as const

export const SCRIPTS = {
  acceptRequest: ACCEPT_REQUEST,
  appendExpected: APPEND_EXPECTED,
  clearPending: CLEAR_PENDING,
  renewLease: RENEW_LEASE,
  releaseLease: RELEASE_LEASE,
} as const
export type ScriptName = keyof typeof SCRIPTS
